import AttentionSpec
import Foundation
import Testing

@Suite struct SpecFormatTests {
    static let issueExample = """
        {"problem": {"batch": 2, "heads": 8, "kvHeads": 2, "headDim": 64, "valueDim": 64,
                     "queryShape": [32, 32], "keyShape": [32, 32], "dtype": "float32", "scale": 0.125},
         "mask": {"kind": "neighborhood", "window": [7, 7], "stride": [1, 1], "dilation": [1, 2], "causal": [false, true]},
         "tiling": {"queryTile": [8, 8], "keyTile": [8, 8]},
         "schedule": {"kind": "flash"}}
        """

    @Test func decodesTheDocumentedShapeAndMatchesTheDSL() throws {
        let spec = try AttentionSpec(json: Data(Self.issueExample.utf8))
        let built = try AttentionSpec
            .attention(batch: 2, heads: 8, kvHeads: 2, headDim: 64, tokens: [32, 32], scale: 0.125)
            .masked(.neighborhood(window: [7, 7], dilation: [1, 2], causal: [false, true]))
            .tiled(query: [8, 8], key: [8, 8])
            .validated()
        #expect(spec == built)
    }

    @Test func defaultsForOptionalParts() throws {
        let spec = try AttentionSpec(json: Data(#"{"problem": {"heads": 2, "headDim": 16, "queryShape": [100]}, "mask": {"kind": "causal"}}"#.utf8))
        #expect(spec.problem.kvHeads == 2)
        #expect(spec.problem.keyShape == [100])
        #expect(spec.problem.batch == 1)
        #expect(spec.tiling == Tiling(queryTile: [64], keyTile: [64]))
        #expect(spec.schedule == .flash)
        #expect(abs(spec.problem.effectiveScale - 0.25) < 1e-15)
    }

    @Test func everySpecRoundTripsThroughItsJSONText() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Kernels/specs").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 5)
        for file in files {
            let spec = try AttentionSpec(contentsOf: folder.appendingPathComponent(file))
            let again = try AttentionSpec(json: Data(spec.jsonText.utf8))
            #expect(again == spec, "\(file)")
            #expect(spec.jsonText == again.jsonText, "stable text for \(file)")
        }
    }

    @Test func blockSparseDefaultsTilingToItsBlocks() throws {
        let spec = try AttentionSpec.attention(heads: 1, headDim: 8, tokens: [8, 8])
            .masked(.blockSparse(BlockSparseLayout(queryBlock: [4, 2], keyBlock: [2, 4], kvIndices: Array(repeating: [0], count: 8))))
            .validated()
        #expect(spec.tiling == Tiling(queryTile: [4, 2], keyTile: [2, 4]))
    }
}
