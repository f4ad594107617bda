import AttentionPlan
import AttentionSpec
import AttentionTensors
import Foundation
import GLSLEmitter
import KernelIR
import KernelLowering
import Testing

/// Cooperative-matrix shaders: the NV form of every float16 catalogue spec compiles with
/// Debian's glslang 12 and passes spirv-val (which knows SPV_NV_cooperative_matrix); the
/// emulated form compiles for every 16-bit spec; the KHR form compiles with a glslang 13+ and
/// passes its spirv-val where `scripts/khr-tools.sh` installed them.
@Suite(.enabled(if: shaderToolsInstalled, "glslangValidator or spirv-val is not installed (scripts/setup.sh installs them)"))
struct CooperativeMatrixShaderTests {
    static func device(_ form: CooperativeMatrixStrategy.Form) -> GLSLOptions {
        GLSLOptions(
            sharedMemoryBytes: 49152, subgroupSize: 32,
            cooperativeMatrix: CooperativeMatrixSupport(
                form: form, shapes: [CooperativeMatrixShape(m: 16, n: 16, k: 16, operand: .float16, float32Accumulator: true)], subgroupSize: 32))
    }

    static let sixteenBitSpecs = catalogueFiles.filter { file in
        (try? AttentionSpec(contentsOf: catalogueFolder.appendingPathComponent(file)))?.problem.dtype != .float32
    }

    @Test func theCatalogueHasFloat16Specs() {
        #expect(Self.sixteenBitSpecs.count >= 3)
    }

    @Test(arguments: sixteenBitSpecs)
    func nvFormCompilesAndValidates(file: String) throws {
        let spec = try AttentionSpec(contentsOf: catalogueFolder.appendingPathComponent(file))
        guard spec.problem.dtype == .float16 else { return }
        let source = try emitted(spec, Self.device(.nv))
        let attention = try #require(source.shaders.first)
        #expect(source.configuration.strategy.matrix?.form == .nv, "\(source.configuration.strategy.compact)")
        #expect(attention.programText.contains("coopMatMulAddNV("))
        try compileAndValidate(source, label: "\(file) NV")
    }

    @Test(arguments: sixteenBitSpecs)
    func emulatedFormCompilesAndValidates(file: String) throws {
        let spec = try AttentionSpec(contentsOf: catalogueFolder.appendingPathComponent(file))
        let facts = KernelFacts(plan: try TilePlan(spec))
        let shape = CooperativeMatrixShape(m: 16, n: 16, k: 16, operand: spec.problem.dtype, float32Accumulator: true)
        // Compiled only: the emulated form's 32-bit operands need more shared memory than 48 KiB at 64 rows.
        let strategy = try #require(KernelStrategy.cooperative(.emulated, shape: shape, lanes: 32, device: Self.device(.nv).device, facts: facts).first)
        var options = Self.device(.nv)
        options.strategy = strategy
        let source = try emitted(spec, options)
        #expect(!source.shaders[0].programText.contains("coopMat"))
        try compileAndValidate(source, label: "\(file) emulated")
    }

    /// The catalogue's committed cooperative-matrix files (the drift test keeps them what the generator makes).
    static func committed(_ folder: String, _ suffix: String) -> [String] {
        let url = catalogueFolder.deletingLastPathComponent().appendingPathComponent(folder)
        return ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0.contains(".coopmat-") && $0.hasSuffix(suffix) }.sorted()
    }

    @Test func theCatalogueHoldsBothForms() {
        #expect(Self.committed("spirv", ".spv").count >= 7)
        #expect(Self.committed("glsl", ".comp").filter { $0.contains(".coopmat-khr") }.count >= 7)
    }

    @Test(arguments: committed("spirv", ".spv"))
    func everyCommittedNVModuleValidates(file: String) throws {
        let url = catalogueFolder.deletingLastPathComponent().appendingPathComponent("spirv/\(file)")
        try GLSLCommandLineTools.validate(spirv: url)
    }

    @Test(.enabled(if: KHRTools.installed, "glslang 13+ and a KHR-aware spirv-val are not installed (scripts/khr-tools.sh installs them)"),
          arguments: committed("glsl", ".comp").filter { $0.contains(".coopmat-khr") })
    func everyCommittedKHRShaderCompilesAndValidates(file: String) throws {
        let url = catalogueFolder.deletingLastPathComponent().appendingPathComponent("glsl/\(file)")
        let source = try String(contentsOf: url, encoding: .utf8)
        #expect(source.contains("coopMatMulAdd(") || file.contains(".merge_partials"))
        try KHRTools.compileAndValidate(source, name: file)
    }

    @Test func debiansGlslangRefusesTheKHRFormWithAClearError() throws {
        let spec = try AttentionSpec.attention(heads: 2, headDim: 64, tokens: [64], dtype: .float16).tiled(query: [64], key: [64]).validated()
        let shader = try #require(try emitted(spec, Self.device(.khr)).shaders.first)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("khr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let comp = folder.appendingPathComponent("attention.comp")
        try Data(shader.source.utf8).write(to: comp)
        let error = #expect(throws: GLSLToolError.self) { try GLSLCommandLineTools.compile(source: comp, to: folder.appendingPathComponent("attention.spv")) }
        #expect(error?.description.contains("GL_KHR_cooperative_matrix") == true, "\(error.map(String.init(describing:)) ?? "")")
    }
}
