import AttentionSpec
import AttentionTestSupport
import Foundation
import GLSLEmitter
import Testing

/// `attngen emit --target glsl | spirv`, run as a user would.
@Suite struct GLSLCLITests {
    let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attngen-glsl-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    @Test func glslWritesOneShaderPerKernelAndAManifestAndKeepsExistingFiles() throws {
        let spec = "Kernels/specs/decode-gqa-splitkv.json"
        let first = try AttngenProcess.run(["emit", spec, "--target", "glsl", "--out", scratch.path])
        #expect(first.status == 0, "\(first.stderr)")
        let attention = try String(contentsOf: scratch.appendingPathComponent("decode-gqa-splitkv.comp"), encoding: .utf8)
        let merge = try String(contentsOf: scratch.appendingPathComponent("decode-gqa-splitkv.merge_partials.comp"), encoding: .utf8)
        #expect(attention.contains("#version 450") && attention.contains("// ---- Kernel attention_split_kv"))
        #expect(merge.contains("// ---- Kernel merge_partials"))
        let manifestData = try Data(contentsOf: scratch.appendingPathComponent("decode-gqa-splitkv.glsl-manifest.json"))
        guard case .object(let manifest) = try JSONValue.parse(manifestData), case .array(let shaders) = manifest["shaders"],
              case .object(let firstShader) = shaders.first
        else {
            Issue.record("the manifest has no shaders")
            return
        }
        #expect(shaders.count == 2)
        #expect(firstShader["sourceFile"] == .string("decode-gqa-splitkv.comp"))

        let again = try AttngenProcess.run(["emit", spec, "--target", "glsl", "--out", scratch.path])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists") && again.stderr.contains("--force"))
        let forced = try AttngenProcess.run(["emit", spec, "--target", "glsl", "--out", scratch.path, "--force"])
        #expect(forced.status == 0)
        #expect(try String(contentsOf: scratch.appendingPathComponent("decode-gqa-splitkv.comp"), encoding: .utf8) == attention)
    }

    /// `--target spirv` compiles in process (glslang's C API): no command-line tool is needed,
    /// and every binary passes spirv-val when that tool is there.
    @Test func spirvCompilesInProcessWithoutAnyTool() throws {
        let result = try AttngenProcess.run(["emit", "Kernels/specs/decode-gqa-lean.json", "--target", "spirv", "--out", scratch.path],
                                     environment: ["PATH": scratch.path])
        #expect(result.status == 0, "\(result.stderr)")
        for name in ["decode-gqa-lean.spv", "decode-gqa-lean.merge_partials.spv"] {
            let url = scratch.appendingPathComponent(name)
            let data = try Data(contentsOf: url)
            #expect(data.prefix(4) == Data([0x03, 0x02, 0x23, 0x07]), "\(name) is not SPIR-V")
            if GLSLCommandLineTools.locate(GLSLCommandLineTools.validator) != nil {
                #expect(throws: Never.self, "\(name) fails spirv-val") { try GLSLCommandLineTools.validate(spirv: url) }
            }
        }
        let manifest = try String(contentsOf: scratch.appendingPathComponent("decode-gqa-lean.glsl-manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"spirvFile\" : \"decode-gqa-lean.spv\"") || manifest.contains("\"spirvFile\": \"decode-gqa-lean.spv\""))
    }

    @Test func glslWithoutOutPrintsTheAttentionShader() throws {
        let result = try AttngenProcess.run(["emit", "Kernels/specs/neighborhood-3d-causal.json", "--target", "glsl"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("bool neighborhood_mask_allows(") && result.stdout.contains("void main()"))
    }
}
