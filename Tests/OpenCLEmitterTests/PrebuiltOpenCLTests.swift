import AttentionRuntime
import AttentionSpec
import AttentionTestSupport
import Foundation
import KernelCatalog
import Testing

/// An OpenCL program read from a kernel package runs like the generated one.
@Suite struct PrebuiltOpenCLTests {
    @Test func matchingSpecRunsFromThePackage() throws {
        let spec = try AttentionSpec.attention(batch: 2, heads: 4, kvHeads: 1, headDim: 32, tokens: [1], keyTokens: [333], dtype: .bfloat16)
            .masked(.causal).tiled(query: [16], key: [32]).scheduled(.lean(workgroups: 6)).validated()
        let artifact = try KernelPackageWriter.package(spec: spec, name: "decode-lean", file: "decode-lean.json")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).attnkernels.json")
        try Data(artifact.bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let kernels = try PrebuiltKernels(packages: [KernelPackage(contentsOf: url)])

        let backend = try OpenCLBackend(context: SharedOpenCL.get().context, prebuilt: kernels)
        let inputs = try randomInputs(spec, seed: 12)
        let prepared = try backend.prepare(inputs)
        #expect(prepared.origin == .package("decode-lean"))
        #expect(prepared.layout.launches.map(\.kernel) == ["attention_lean", "merge_partials"])
        _ = try prepared.dispatch()
        let report = ToleranceRule().check(try prepared.result(), for: inputs)
        #expect(report.passed, "\(report)")
        // The generated program for the same spec is the same text: one cache entry serves both.
        #expect(try SharedOpenCL.get().prepare(inputs).layout.programText == prepared.layout.programText)
    }
}
