import AttentionPlan
import AttentionSpec
import Testing

@Suite struct WorkPartitionTests {
    /// Every (batch, head, query tile, visit) must be done by exactly one segment, and part
    /// numbers must run 0..<partCount per output tile.
    private func checkCoverage(_ partition: WorkPartition) {
        let p = partition.plan.spec.problem
        var seen: [Int: [Range<Int>]] = [:]
        var parts: [Int: Set<Int>] = [:]
        for w in 0..<partition.workgroupCount {
            for segment in partition.segments(ofWorkgroup: w) {
                let tile = (segment.batch * p.heads + segment.head) * partition.plan.queryTiles.count + segment.queryTile
                seen[tile, default: []].append(segment.visits)
                parts[tile, default: []].insert(segment.part)
                #expect(segment.partCount == partition.partCount(ofOutputTile: tile))
            }
        }
        for tile in 0..<partition.outputTileCount {
            let count = partition.visitCounts[partition.outputTile(tile).queryTile]
            let covered = (seen[tile] ?? []).flatMap { Array($0) }.sorted()
            #expect(covered == Array(0..<count), "output tile \(tile)")
            if partition.partCount(ofOutputTile: tile) > 0 {
                #expect(parts[tile] == Set(0..<partition.partCount(ofOutputTile: tile)))
            }
        }
    }

    @Test func leanSplitsWorkEvenlyAcrossHeadAndTileBorders() throws {
        for workgroups in [1, 3, 7, 13, 64, 500] {
            let spec = try AttentionSpec.attention(batch: 2, heads: 3, headDim: 16, tokens: [40], keyTokens: [300])
                .masked(.causal).tiled(query: [16], key: [32]).scheduled(.lean(workgroups: workgroups))
            let partition = WorkPartition(plan: try TilePlan(spec))
            #expect(partition.workgroupCount == workgroups)
            let loads = (0..<workgroups).map(partition.workTiles(ofWorkgroup:))
            #expect(loads.reduce(0, +) == partition.totalWorkTiles)
            #expect(loads.max()! - loads.min()! <= 1)
            // The first T − (maxPer−1)·G groups take maxPer tiles.
            let maxPer = (partition.totalWorkTiles + workgroups - 1) / workgroups
            #expect(loads.prefix(partition.totalWorkTiles - (maxPer - 1) * workgroups).allSatisfy { $0 == maxPer })
            checkCoverage(partition)
        }
    }

    @Test func splitKVAndFlashCoverEveryVisit() throws {
        let base = try AttentionSpec.attention(heads: 2, headDim: 16, tokens: [6, 6]).masked(.neighborhood(window: [3, 5], causal: [true, false]))
            .tiled(query: [2, 4], key: [3, 2])
        for schedule in [Schedule.flash, .splitKV(splits: 1), .splitKV(splits: 3), .splitKV(splits: 10)] {
            let partition = WorkPartition(plan: try TilePlan(base.scheduled(schedule)))
            checkCoverage(partition)
        }
    }
}
