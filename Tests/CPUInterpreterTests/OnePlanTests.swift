import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
import CPUInterpreter
import KernelIR
import Testing

@Suite struct OnePlanTests {
    /// Invariant 2: the interpreter visits exactly the plan's key tiles for every (batch, head,
    /// query tile), and evaluates the mask on exactly the PARTIAL ones.
    @Test(arguments: [Schedule.flash, .splitKV(splits: 4), .lean(workgroups: 9)])
    func interpreterVisitsExactlyThePlan(schedule: Schedule) throws {
        let spec = try AttentionSpec.attention(batch: 2, heads: 2, headDim: 16, tokens: [12, 10])
            .masked(.neighborhood(window: [5, 7], stride: [1, 2], causal: [true, false])).tiled(query: [2, 2], key: [2, 2])
            .scheduled(schedule).validated()
        let trace = InterpreterTrace()
        var rng = SeededGenerator(seed: 1)
        let p = spec.problem
        _ = try CPUBackend(trace: trace).run(AttentionInputs(
            spec: spec, q: .random(shape: p.queryTensorShape, using: &rng), k: .random(shape: p.keyTensorShape, using: &rng),
            v: .random(shape: p.valueTensorShape, using: &rng)))
        let plan = try TilePlan(spec)
        var expected: [InterpreterTrace.Visit] = []
        for b in 0..<2 {
            for h in 0..<2 {
                for qt in 0..<plan.queryTiles.count {
                    for visit in plan.visits(forQueryTile: qt) {
                        expected.append(.init(batch: b, head: h, queryTile: qt, keyTile: visit.keyTile, masked: visit.tileClass == .partial))
                    }
                }
            }
        }
        let seen = trace.visits
        #expect(seen.count == expected.count)
        #expect(Set(seen) == Set(expected))
        #expect(seen.contains { $0.masked } && seen.contains { !$0.masked })
    }

    @Test func irTextIsStableAndNamesTheSteps() throws {
        let spec = try AttentionSpec.attention(heads: 8, headDim: 64, tokens: [4096]).masked(.causal).scheduled(.lean(workgroups: 16)).validated()
        let plan = try TilePlan(spec)
        let text = KernelProgram(spec: spec).text(plan: plan)
        #expect(text == KernelProgram(spec: spec).text(plan: plan))
        for step in ["kernel attention_lean", "kernel merge_partials", "S ← 0.125 · Q·Kᵀ", "where visit is PARTIAL", "store partial", "lse_merge"] {
            #expect(text.contains(step), "\(step)")
        }
        #expect(text.contains("2080 visits: 2016 FULL, 64 PARTIAL"))
    }
}
