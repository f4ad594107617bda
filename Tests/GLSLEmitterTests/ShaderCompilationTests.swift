import AttentionPlan
import AttentionSpec
import Foundation
import GLSLEmitter
import Testing

/// Every emitted shader compiles with glslangValidator (-V --target-env vulkan1.1) and its
/// SPIR-V passes spirv-val.
@Suite(.enabled(if: shaderToolsInstalled, "glslangValidator or spirv-val is not installed (scripts/setup.sh installs them)"))
struct ShaderCompilationTests {
    @Test func catalogueIsThere() {
        #expect(catalogueFiles.count >= 8, "no specs found in \(catalogueFolder.path)")
    }

    @Test(arguments: catalogueFiles)
    func catalogueSpecCompilesAndValidates(file: String) throws {
        let spec = try AttentionSpec(contentsOf: catalogueFolder.appendingPathComponent(file))
        try compileAndValidate(emitted(spec), label: file)
        if spec.problem.dtype != .float32 {
            try compileAndValidate(emitted(spec, GLSLOptions(sixteenBitStorage: true)), label: "\(file) with 16-bit storage")
        }
        // The variant with the tile loops as real loops (what lavapipe runs when the cap allows).
        try compileAndValidate(emitted(spec, GLSLOptions(unrollTileLoops: false)), label: "\(file) with rolled tile loops")
        // A paged cache is for inference: no backward kernels (GLSLGradientSource refuses it).
        if spec.problem.pages == nil {
            try compileAndValidate(GLSLGradientSource(plan: TilePlan(spec)).shaders, label: "\(file) backward")
        }
    }

    static let randomized = randomizedSpecs(count: 15, seed: 0x61747467656e)

    @Test func randomizedSpecsCoverTheCases() {
        let specs = Self.randomized
        #expect(specs.count == 15)
        #expect(Set(specs.map(\.mask.kind)) == ["dense", "causal", "slidingWindow", "neighborhood", "blockSparse"])
        #expect(Set(specs.map(\.schedule.kind)) == ["flash", "splitKV", "lean"])
        #expect(Set(specs.map(\.problem.dtype)) == [.float32, .float16, .bfloat16])
        #expect(specs.contains { $0.problem.kvHeads < $0.problem.heads })
        #expect(specs.contains { s in zip(s.problem.queryShape, s.tiling.queryTile).contains { $0 % $1 != 0 } })
    }

    @Test(arguments: randomized.indices)
    func randomizedSpecCompilesAndValidates(index: Int) throws {
        let spec = Self.randomized[index]
        let options = GLSLOptions(
            maxWorkgroupSize: [256, 64, 128][index % 3], sixteenBitStorage: index % 2 == 1, unrollTileLoops: index % 4 < 2)
        try compileAndValidate(emitted(spec, options), label: spec.summary)
    }
}
