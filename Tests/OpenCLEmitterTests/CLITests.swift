import AttentionSpec
import AttentionTestSupport
import Foundation
import Testing

/// `attngen emit --target opencl` and `attngen devices`, run as a user would.
@Suite struct OpenCLCLITests {
    let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attngen-opencl-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    @Test func emitWritesSourceAndAParsableManifestAndKeepsExistingFiles() throws {
        let spec = "Kernels/specs/decode-gqa-splitkv.json"
        let first = try AttngenProcess.run(["emit", spec, "--target", "opencl", "--out", scratch.path])
        #expect(first.status == 0, "\(first.stderr)")
        let source = try String(contentsOf: scratch.appendingPathComponent("decode-gqa-splitkv.cl"), encoding: .utf8)
        #expect(source.contains("__kernel") && source.contains("void attention_split_kv(") && source.contains("void merge_partials("))
        let manifestData = try Data(contentsOf: scratch.appendingPathComponent("decode-gqa-splitkv.manifest.json"))
        guard case .object(let manifest) = try JSONValue.parse(manifestData), case .array(let kernels) = manifest["kernels"] else {
            Issue.record("the manifest has no kernels")
            return
        }
        #expect(kernels.count == 2)
        #expect(manifest["sourceFile"] == .string("decode-gqa-splitkv.cl"))

        let again = try AttngenProcess.run(["emit", spec, "--target", "opencl", "--out", scratch.path])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists") && again.stderr.contains("--force"))
        let forced = try AttngenProcess.run(["emit", spec, "--target", "opencl", "--out", scratch.path, "--force"])
        #expect(forced.status == 0)
        let rewritten = try String(contentsOf: scratch.appendingPathComponent("decode-gqa-splitkv.cl"), encoding: .utf8)
        #expect(rewritten == source)
    }

    @Test func emitWithoutOutPrintsTheSource() throws {
        let result = try AttngenProcess.run(["emit", "Kernels/specs/neighborhood-3d-causal.json", "--target", "opencl"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("bool neighborhood_mask_allows(") && result.stdout.contains("void attention_flash("))
    }

    @Test func devicesListsThePlatform() throws {
        let result = try AttngenProcess.run(["devices"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Platform 0") && result.stdout.contains("Local"), "\(result.stdout)")
    }

    @Test func devicesWithoutAPlatformSaysSoAndSucceeds() throws {
        let empty = scratch.appendingPathComponent("no-vendors")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let result = try AttngenProcess.run(["devices"], environment: ["OCL_ICD_VENDORS": empty.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("no platforms") && result.stdout.contains("Reason:"), "\(result.stdout)")
    }
}
