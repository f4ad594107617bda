import AttentionRuntime
import AttentionSpec
import AttentionTensors
import AttentionTestSupport
import Foundation
import KernelCatalog
import Testing

/// Kernel packages written by the generator and read back by the runtime: a matching spec runs
/// from the package's SPIR-V, correctly; anything else is generated as before.
@Suite struct PrebuiltKernelTests {
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attngen-packages-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func write(_ spec: AttentionSpec, name: String) throws -> URL {
        let artifact = try KernelPackageWriter.package(spec: spec, name: name, file: "\(name).json")
        let url = folder.appendingPathComponent(artifact.path)
        try Data(artifact.bytes).write(to: url)
        return url
    }

    @Test func matchingSpecRunsFromThePackage() throws {
        let spec = try AttentionSpec.attention(heads: 4, kvHeads: 2, headDim: 32, tokens: [70], dtype: .float16)
            .masked(.slidingWindow(left: 20, right: 3)).tiled(query: [16], key: [32]).scheduled(.splitKV(splits: 2)).validated()
        let url = try Self.write(spec, name: "window-split")
        let kernels = try PrebuiltKernels(packages: [KernelPackage(contentsOf: url)])
        #expect(kernels.names == ["window-split"])
        #expect(try kernels.spec(named: "window-split") == spec)
        #expect(kernels.package(for: spec)?.vulkan.shaders.map(\.name) == ["attention_split_kv", "merge_partials"])

        let backend = try VulkanBackend(context: SharedVulkan.backend.get().context, prebuilt: kernels)
        let inputs = try randomInputs(spec, seed: 8)
        let prepared = try backend.prepare(inputs)
        #expect(prepared.origin == .package("window-split"))
        _ = try prepared.dispatch()
        let result = try prepared.result()
        let report = ToleranceRule().check(result, for: inputs)
        #expect(report.passed, "\(report)")

        // A different spec (one more head) is generated for the device as usual.
        var other = spec
        other.problem.heads = 6
        other.problem.kvHeads = 3
        #expect(try backend.prepare(randomInputs(other.validated(), seed: 9)).origin == .generated)
    }

    @Test func damagedPackagesAreTypedErrors() throws {
        let spec = try AttentionSpec.attention(heads: 1, headDim: 16, tokens: [8]).validated()
        let url = try Self.write(spec, name: "tiny")
        let text = try String(contentsOf: url, encoding: .utf8)

        let wrongFormat = Self.folder.appendingPathComponent("old.attnkernels.json")
        try Data(text.replacingOccurrences(of: "attentiongen-kernel-package/1", with: "attentiongen-kernel-package/0").utf8).write(to: wrongFormat)
        #expect {
            try KernelPackage(contentsOf: wrongFormat)
        } throws: { error in
            guard case AttentionError.invalidKernelPackage(let file, let reason) = error else { return false }
            return file == "old.attnkernels.json" && reason.contains("attentiongen-kernel-package/0")
        }

        let truncated = Self.folder.appendingPathComponent("cut.attnkernels.json")
        try Data(text.prefix(text.count / 2).utf8).write(to: truncated)
        #expect(throws: AttentionError.self) { try KernelPackage(contentsOf: truncated) }
        #expect(throws: AttentionError.self) { try PrebuiltKernels(packages: []).spec(named: "nope") }
    }

    /// The catalogue's packages for every spec load back with the spec they were made from.
    @Test func everyCatalogueSpecRoundTrips() throws {
        let catalogue = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Kernels/specs").standardized
        for file in try FileManager.default.contentsOfDirectory(atPath: catalogue.path).sorted() where file.hasSuffix(".json") {
            let spec = try AttentionSpec(contentsOf: catalogue.appendingPathComponent(file))
            let name = String(file.dropLast(5))
            let package = try KernelPackage(contentsOf: Self.write(spec, name: name))
            #expect(package.spec == spec, "\(file)")
            #expect(package.vulkan.shaders.allSatisfy { $0.spirv.first == 0x0723_0203 }, "\(file)")
        }
    }
}
