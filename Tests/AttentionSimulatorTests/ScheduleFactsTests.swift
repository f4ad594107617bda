import AttentionPlan
import AttentionSimulator
import AttentionSpec
import Testing

@Suite struct ScheduleFactsTests {
    /// LeanAttention's central claim: on decode with few heads and a long context, stream-K keeps
    /// every compute unit busy where one work-group per output tile leaves most of them idle.
    @Test func leanFillsTheMachineOnLongContextDecode() throws {
        let decode = AttentionSpec.attention(heads: 8, headDim: 128, tokens: [1], keyTokens: [512 * 1024], dtype: .float16)
            .tiled(query: [16], key: [128])
        let machine = MachineModel.a100
        let flash = try SimulationReport(spec: decode.scheduled(.flash), machine: machine)
        let lean = try SimulationReport(spec: decode.scheduled(.lean(workgroups: 108)), machine: machine)
        #expect(flash.schedule.workgroups == 8)
        #expect(flash.schedule.waveEfficiency < 0.1)
        #expect(lean.schedule.waveEfficiency > 0.95)
        #expect(lean.schedule.simulatedSeconds < flash.schedule.simulatedSeconds / 8)
        #expect(lean.schedule.mergedOutputTiles == 8)
    }

    @Test func countsAndFlopsOfACausalProblem() throws {
        let spec = AttentionSpec.attention(batch: 2, heads: 4, headDim: 64, tokens: [256]).masked(.causal).tiled(query: [64], key: [64])
        let report = try SimulationReport(spec: spec, machine: .h100)
        #expect(report.queryTiles == 4 && report.keyTiles == 4)
        #expect(report.visitedTilePairs == 10 && report.fullTilePairs == 6 && report.partialTilePairs == 4)
        #expect(report.allowedPairs == 256 * 257 / 2)
        #expect(report.totalDenseFlops == 8 * 256 * 256 * 4 * 64)
        #expect(report.totalVisitedFlops == 8 * 10 * 64 * 64 * 4 * 64)
        #expect(abs(report.flopSpeedupBound - 256.0 * 256 / Double(256 * 257 / 2)) < 1e-12)
        #expect(report.tileSpeedupBound == 1.6)
        #expect(report.schedule.waves == 1)
    }

    @Test func splitKVMergesEveryOutputTile() throws {
        let spec = AttentionSpec.attention(batch: 1, heads: 2, headDim: 64, tokens: [1], keyTokens: [4096]).tiled(query: [16], key: [64])
            .scheduled(.splitKV(splits: 4))
        let report = try SimulationReport(spec: spec, machine: .h100)
        #expect(report.schedule.workgroups == 8)
        #expect(report.schedule.partials == 8)
        #expect(report.schedule.mergedOutputTiles == 2)
        #expect(report.schedule.minWorkTiles == 16 && report.schedule.maxWorkTiles == 16)
    }
}
