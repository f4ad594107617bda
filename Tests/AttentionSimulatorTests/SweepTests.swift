import AttentionPlan
@testable import AttentionSimulator
import AttentionSpec
import Foundation
import Testing

@Suite struct SweepTests {
    /// NATTEN / GNA: a 1-D window of 2048 over 32768 tokens with 256-query / 128-key tiles needs
    /// no mask in any tile once the stride is a multiple of the query tile: 256 is the smallest.
    @Test func nattenFactSmallestMaskFreeStrideIs256() throws {
        let spec = try AttentionSpec.attention(heads: 1, headDim: 128, tokens: [32768], dtype: .float16)
            .masked(.neighborhood(window: [2048])).tiled(query: [256], key: [128])
        // Strides are swept on the spec's tiling only, to keep a debug-build test short; the
        // full candidate set gives the same answer (attngen simulate --sweep --strides).
        let outcome = TilingSweep(spec: spec, machine: .h100, strides: true, tilings: [spec.tiling]).run()
        #expect(outcome.smallestMaskFreeStride == [256])
        #expect(outcome.baseline?.maskFree == false)
        let stride256 = try #require(outcome.ranked.first { $0.stride == [256] })
        #expect(stride256.maskFree && stride256.partialTilePairs == 0 && !stride256.keepsMask)
        #expect(outcome.ranked.filter { ($0.stride?[0] ?? 0) < 256 }.allSatisfy { !$0.maskFree })
        #expect(outcome.recommendation.contains("stride 256"))
    }

    @Test func resultsAreRankedByTimeAndProgressReachesTotal() throws {
        let spec = try AttentionSpec.attention(batch: 2, heads: 8, kvHeads: 2, headDim: 64, tokens: [32, 32])
            .masked(.neighborhood(window: [7, 7], dilation: [1, 2], causal: [false, true])).tiled(query: [8, 8], key: [8, 8])
        var calls: [(done: Int, total: Int)] = []
        let outcome = TilingSweep(spec: spec, machine: .h100, strides: true).run { calls.append(($0, $1)) }
        let times = outcome.ranked.map(\.simulatedSeconds)
        #expect(times == times.sorted())
        let last = try #require(calls.last)
        #expect(last.done == last.total)
        #expect(Set(calls.map(\.total)).count == 1, "the total is known from the start")
        #expect(zip(calls, calls.dropFirst()).allSatisfy { $0.done < $1.done })
        #expect(outcome.simulated <= TilingSweep.maxSimulations)
        #expect(outcome.ranked.contains { !$0.keepsMask }, "strides were swept")
        let baseline = try #require(outcome.baseline)
        #expect(baseline.tiling == spec.tiling && baseline.keepsMask)
        let fastest = try #require(outcome.fastest)
        #expect(fastest.simulatedSeconds <= baseline.simulatedSeconds)
    }

    @Test func blockedGNAIsMaskFreeAndSaysSo() throws {
        // Kernels/specs/gna-blocked-2d.json: window 8 stride 8 on 8×8 tiles.
        let spec = try AttentionSpec.attention(heads: 4, headDim: 64, tokens: [32, 32])
            .masked(.neighborhood(window: [8, 8], stride: [8, 8])).tiled(query: [8, 8], key: [8, 8])
        let outcome = TilingSweep(spec: spec, machine: .a100).run()
        #expect(outcome.baseline?.maskFree == true)
        let maskFree = try #require(outcome.fastestMaskFree)
        #expect(maskFree.maskFree && maskFree.keepsMask)
        #expect(outcome.smallestMaskFreeStride == [8, 8], "the spec's own stride counts when strides are not swept")
    }

    @Test func candidatesStayBounded() {
        for rank in 1...3 {
            let shapes = SweepCandidates.tileShapes(rank: rank)
            #expect(!shapes.isEmpty)
            let largestSide = rank == 1 ? 256 : 128
            #expect(shapes.allSatisfy { $0.count == rank && $0.reduce(1, *) <= 256 && $0.allSatisfy { $0 >= 1 && $0 <= largestSide } })
            let spec = AttentionSpec.attention(heads: 1, headDim: 64, tokens: Array(repeating: 64, count: rank))
            #expect(TilingSweep(spec: spec, machine: .h100).tilings.count <= TilingSweep.maxSimulations)
        }
        #expect(SweepCandidates.tileShapes(rank: 2).contains([4, 16]) && SweepCandidates.tileShapes(rank: 3).contains([2, 4, 4]))
    }

    @Test func tableAndJSONCarryTheRankingAndRecommendation() throws {
        let spec = AttentionSpec.attention(heads: 8, headDim: 64, tokens: [1024]).masked(.causal).tiled(query: [64], key: [64])
        let outcome = TilingSweep(spec: spec, machine: .h100).run().top(3)
        let text = try #require(SweepTable(outcome: outcome).render(.text))
        #expect(text.contains("recommendation: ") && text.contains("mask-free"))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("1 ") || $0.hasPrefix("2 ") || $0.hasPrefix("3 ") }.count == 3)
        let markdown = try #require(SweepTable(outcome: outcome).render(.markdown))
        #expect(markdown.contains("| # | query tile |") && markdown.contains("**Recommendation:**"))
        let json = try #require(SweepTable(outcome: outcome).render(.json))
        let decoded = try ReportRenderer.jsonDecoder.decode(SweepOutcome.self, from: Data(json.utf8))
        #expect(decoded.ranked.count == 3 && decoded.recommendation == outcome.recommendation)
        #expect(SweepTable(outcome: outcome).render(.svg) == nil)
    }
}
