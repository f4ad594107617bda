import AttentionPlan
import AttentionSpec
import Foundation
import Testing

/// Specs sized by their tiling or schedule rather than their problem: each is refused with a
/// typed error naming the field, or planned with bounded sizes, fast, with no trap.
@Suite struct PlanBoundsTests {
    static let small = try! AttentionSpec.attention(heads: 1, headDim: 8, tokens: [64])

    private func refusal(_ spec: AttentionSpec) -> SpecError? {
        #expect(throws: SpecError.self) { try TilePlan(spec) }
    }

    @Test func aKeyTileLargerThanItsAxisIsClampedToTheAxis() throws {
        let spec = try AttentionSpec.attention(heads: 1, headDim: 8, tokens: [40]).tiled(query: [16], key: [1 << 32]).validated()
        let plan = try TilePlan(spec)
        #expect(plan.keyTiles.count == 1)
        #expect(spec.effectiveTiling.keyTile == [40])
        #expect(spec.panelKeys == 64)
        #expect(MemoryEstimate(plan: plan).run.reduce(0) { $0 + $1.1 } < 64 << 20)
        _ = try TilePlan(spec.tiled(query: [Int.max], key: [Int.max]))
    }

    @Test func splitCountsThatOverflowAreRefusedByField() {
        for splits in [1_000_000, 2_147_483_647, 2_147_483_648, Int.max] {
            #expect(refusal(Self.small.scheduled(.splitKV(splits: splits)))?.field == "schedule.splits", "\(splits)")
        }
    }

    @Test func leanGridsFarBeyondTheWorkAreRefused() {
        #expect(refusal(Self.small.scheduled(.lean(workgroups: 2_000_000_000)))?.field == "schedule.workgroups")
        #expect(refusal(Self.small.scheduled(.lean(workgroups: TilePlan.idleWorkgroupLimit + 2)))?.field == "schedule.workgroups")
    }

    @Test func aBillionBatchesIsRefusedBeforeListingWorkGroups() throws {
        let spec = try AttentionSpec.attention(batch: 1_000_000_000, heads: 1, headDim: 1, tokens: [1]).validated()
        #expect(refusal(spec)?.field == "problem")
    }

    /// Found by scripts/cli-fuzz.py: 2^31 heads on a 13-work-group lean grid made `simulate`
    /// list 2^31 output tiles' segments.
    @Test func leanOverBillionsOfOutputTilesIsRefused() throws {
        let spec = try AttentionSpec.attention(heads: 1 << 31, kvHeads: 1, headDim: 64, tokens: [1], keyTokens: [4096])
            .tiled(query: [16], key: [128]).scheduled(.lean(workgroups: 13)).validated()
        #expect(refusal(spec)?.field == "problem")
    }

    @Test func hugeGridsAnswerWithinASecond() throws {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            let causal = try! AttentionSpec.attention(heads: 1, headDim: 1, tokens: [1_000_000_000]).masked(.causal).validated()
            #expect(refusal(causal)?.field == "tiling")
            let window = try! AttentionSpec.attention(heads: 1, headDim: 1, tokens: [1_000_000_000])
                .masked(.neighborhood(window: [3])).validated()
            #expect(refusal(window)?.field == "problem.queryShape[0]")
        }
        #expect(elapsed < .seconds(1))
    }

    @Test func theMemoryBudgetNamesTheBytesNeeded() throws {
        let plan = try TilePlan(Self.small.scheduled(.splitKV(splits: 1)))
        let estimate = MemoryEstimate(plan: plan)
        #expect(estimate.partials > 0 && estimate.tensors == 4 * (4 * 64 * 8 + 64))
        try MemoryBudget(bytes: Int.max).require(estimate.run)
        let error = #expect(throws: SpecError.self) { try MemoryBudget(bytes: 1000).require(estimate.run) }
        guard case .exceedsMemoryBudget(let needed, let budget, let detail)? = error else {
            Issue.record("expected exceedsMemoryBudget, got \(String(describing: error))")
            return
        }
        #expect(needed == estimate.run.reduce(0) { $0 + $1.1 } && budget == 1000 && detail.contains("partials"))
        #expect(error!.description.contains("\(needed) bytes"))
        #expect(MemoryBudget.host.bytes > 0)
    }
}
