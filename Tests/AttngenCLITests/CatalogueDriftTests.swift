import AttentionTestSupport
import Foundation
import Testing

@Suite struct CatalogueDriftTests {
    /// The committed Kernels/ must be exactly what the generator makes from Kernels/specs now.
    @Test func committedCatalogueMatchesTheGenerator() throws {
        let result = try AttngenProcess.run(["catalog", "--check"])
        #expect(result.status == 0, "Kernels/ drifted from the generator; run `attngen catalog`:\n\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("catalogue up to date"))
    }

    /// A changed, a missing and a stale file are each reported, and regeneration repairs all but
    /// the stale one, which only --prune deletes.
    @Test func driftIsDetectedAndRepaired() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("attngen-catalog-\(UUID().uuidString)")
        let specs = scratch.appendingPathComponent("specs")
        try FileManager.default.createDirectory(at: specs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for name in ["decode-gqa-lean.json", "dense-causal-1d.json"] {
            try FileManager.default.copyItem(
                at: AttngenProcess.packageRoot.appendingPathComponent("Kernels/specs/\(name)"), to: specs.appendingPathComponent(name))
        }
        let arguments = ["catalog", "--specs", specs.path, "--out", scratch.path]
        let first = try AttngenProcess.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try AttngenProcess.run(arguments + ["--check"]).status == 0)

        try Data("// edited by hand\n".utf8).write(to: scratch.appendingPathComponent("opencl/dense-causal-1d.cl"))
        try FileManager.default.removeItem(at: scratch.appendingPathComponent("spirv/decode-gqa-lean.merge_partials.spv"))
        try Data("old".utf8).write(to: scratch.appendingPathComponent("glsl/removed-spec.comp"))
        let check = try AttngenProcess.run(arguments + ["--check"])
        #expect(check.status == 1)
        #expect(check.stdout.contains("differs: opencl/dense-causal-1d.cl"))
        #expect(check.stdout.contains("missing: spirv/decode-gqa-lean.merge_partials.spv"))
        #expect(check.stdout.contains("stale (no spec makes it): glsl/removed-spec.comp"))

        let repair = try AttngenProcess.run(arguments)
        #expect(repair.stdout.contains("2 written"))
        #expect(repair.stdout.contains("stale: glsl/removed-spec.comp"))
        #expect(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("glsl/removed-spec.comp").path))
        _ = try AttngenProcess.run(arguments + ["--prune"])
        #expect(try AttngenProcess.run(arguments + ["--check"]).status == 0)
    }
}
