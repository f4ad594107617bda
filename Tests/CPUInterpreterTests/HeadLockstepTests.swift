import AttentionPlan
import AttentionRuntime
import AttentionSpec
import AttentionTensors
@testable import CPUInterpreter
import KernelIR
import Testing

/// Work-groups of neighbouring heads run in lockstep (`HeadLockstep`): only the interleaving
/// changes, so the results must be the same bits as running every work-group on its own.
@Suite struct HeadLockstepTests {
    static let specs: [AttentionSpec] = {
        let decode = AttentionSpec.attention(heads: 8, kvHeads: 4, headDim: 32, tokens: [1], keyTokens: [300]).tiled(query: [1], key: [32])
        let prefill = AttentionSpec.attention(batch: 2, heads: 3, headDim: 24, tokens: [21], keyTokens: [45]).tiled(query: [8], key: [16])
        return [
            try! decode.scheduled(.lean(workgroups: 8)).validated(),  // packed GQA: gangs of the 4 kv heads
            try! decode.scheduled(.lean(workgroups: 7)).validated(),  // lean ranges that cross heads: some gangs of one
            try! decode.scheduled(.splitKV(splits: 3)).validated(),
            try! prefill.masked(.causal).scheduled(.flash).validated(),
            try! prefill.masked(.slidingWindow(left: 5, right: 2)).scheduled(.lean(workgroups: 5)).validated(),
            try! AttentionSpec.attention(heads: 2, headDim: 16, tokens: [8, 8])
                .masked(.neighborhood(window: [3, 3])).tiled(query: [4, 4], key: [4, 4]).scheduled(.splitKV(splits: 2)).validated(),
        ]
    }()

    @Test(arguments: specs)
    func sameBitsAsEveryWorkgroupAlone(spec: AttentionSpec) throws {
        let operands = randomOperands(spec, seed: 3)
        let ganged = try CPUInterpreter(spec: spec)
        let alone = try CPUInterpreter(spec: spec, headLockstep: false)
        #expect((ganged.packing?.inner ?? ganged).lockstep != nil, "\(spec.summary): no lockstep")
        let (a, b) = (run(ganged, operands), run(alone, operands))
        #expect(a.output.map(\.bitPattern) == b.output.map(\.bitPattern), "\(spec.summary)")
        #expect(a.lse.map(\.bitPattern) == b.lse.map(\.bitPattern), "\(spec.summary)")
    }

    /// Every work-group in exactly one gang; a gang's members share each segment but its head.
    @Test(arguments: specs)
    func gangsPartitionTheWorkgroups(spec: AttentionSpec) throws {
        let interpreter = try CPUInterpreter(spec: spec)
        let inner = interpreter.packing?.inner ?? interpreter
        let lockstep = try #require(inner.lockstep)
        let partition = WorkPartition(plan: inner.plan)
        let count = inner.program.kernels[0].workgroups.count(outputTiles: partition.outputTileCount)
        #expect(lockstep.gangs.flatMap { $0 }.sorted() == Array(0..<count))
        for gang in lockstep.gangs {
            #expect(gang.count <= HeadLockstep.maxMembers)
            let segments = gang.map(partition.segments(ofWorkgroup:))
            for other in segments.dropFirst() {
                #expect(other.count == segments[0].count)
                for (x, y) in zip(other, segments[0]) {
                    #expect(x.batch == y.batch && x.queryTile == y.queryTile && x.visits == y.visits && x.part == y.part && x.head != y.head)
                }
            }
        }
    }

    /// Packed GQA decode on a lean grid that divides the work per kv head: one gang of all kv heads per key range.
    @Test func decodeGangsHoldEveryKVHead() throws {
        let interpreter = try CPUInterpreter(spec: Self.specs[0])
        let lockstep = try #require(interpreter.packing?.inner.lockstep)
        #expect(lockstep.gangs.count == 2)
        #expect(lockstep.gangs.allSatisfy { $0.count == 4 })
    }
}
