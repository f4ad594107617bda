import AttentionPlan
import KernelIR

/// Work-groups whose segments differ only in their heads, run in lockstep on one thread: every
/// member's panel before anyone's next panel.
///
/// K and V rows are `[tokens, kvHeads, dim]`, so one head's key tile read in place takes 512 B
/// out of every 4 KB at d128 with 8 kv heads — a new page per row, where the hardware
/// prefetchers stop; decode then reads its K/V at half this machine's sequential rate. Members
/// for neighbouring heads read the rest of those rows while they are still open. Each member
/// keeps its own registers and does exactly its own work in its own order, so results do not
/// change; only the interleaving across work-groups does.
struct HeadLockstep: Sendable {
    /// Work-groups in gangs (members ordered by head); a work-group that matches no other is a gang of one.
    let gangs: [[Int]]

    /// Heads per gang at most: 8 heads × 512 B fill a 4 KB page; more would only grow the registers held.
    static let maxMembers = 8

    /// The lockstep grouping of the work-groups of a kernel that runs `partition`'s segments.
    init(partition: WorkPartition, workgroups: Int) {
        var order: [Shape: Int] = [:]
        var groups: [[(head: Int, workgroup: Int)]] = []
        for workgroup in 0..<workgroups {
            let segments = partition.segments(ofWorkgroup: workgroup)
            let shape = Shape(segments: segments.map { SegmentShape($0) })
            let member = (head: segments.first?.head ?? 0, workgroup: workgroup)
            if let index = order[shape] {
                groups[index].append(member)
            } else {
                order[shape] = groups.count
                groups.append([member])
            }
        }
        gangs = groups.flatMap { group -> [[Int]] in
            let members = group.sorted { $0.head < $1.head }.map(\.workgroup)
            return stride(from: 0, to: members.count, by: Self.maxMembers).map { Array(members[$0..<min($0 + Self.maxMembers, members.count)]) }
        }
    }

    /// A segment without its head: members of one gang share every field of it.
    private struct SegmentShape: Hashable {
        let batch, queryTile, part, partCount: Int
        let visits: Range<Int>

        init(_ segment: WorkSegment) {
            (batch, queryTile, part, partCount, visits) = (segment.batch, segment.queryTile, segment.part, segment.partCount, segment.visits)
        }
    }

    private struct Shape: Hashable { let segments: [SegmentShape] }
}

extension CPUInterpreter {
    /// Executes `ops` for a gang of work-groups in lockstep: each loop's iteration for every
    /// member before the next iteration; every other op for each member in turn.
    func executeInLockstep(_ ops: [TileOp], _ contexts: inout [ExecutionContext]) {
        for op in ops {
            switch op {
            case .forEachSegment(let body):
                let segments = contexts.map { partition.segments(ofWorkgroup: $0.workgroup) }
                for index in segments[0].indices {
                    for member in contexts.indices { enter(segments[member][index], &contexts[member]) }
                    executeInLockstep(body, &contexts)
                }
            case .forEachPanel(_, let body):
                let panels = contexts.map { self.panels(of: $0) }
                guard panels.allSatisfy({ $0.count == panels[0].count }) else {
                    for member in contexts.indices { execute([op], &contexts[member]) }
                    continue
                }
                for index in panels[0].indices {
                    for member in contexts.indices { enter(panels[member][index], &contexts[member]) }
                    executeInLockstep(body, &contexts)
                }
            default:
                for member in contexts.indices { execute([op], &contexts[member]) }
            }
        }
    }
}
