import AttentionPlan
import AttentionSpec
import Dispatch
import Foundation

/// Simulates sweep candidates on all cores, in batches, reporting progress between batches on
/// the caller's thread. Results keep the candidates' order, so a sweep is deterministic.
enum ParallelSimulations {
    /// Runs `candidates` (spec, keeps the spec's mask); `progress(done)` after every batch.
    /// Invalid candidates are skipped silently: they are candidates, not user input.
    static func run(_ candidates: [(AttentionSpec, Bool)], machine: MachineModel, progress: (Int) -> Void) -> [SweepEntry] {
        let batch = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let slots = Slots(count: candidates.count)
        for start in stride(from: 0, to: candidates.count, by: batch) {
            let end = min(start + batch, candidates.count)
            DispatchQueue.concurrentPerform(iterations: end - start) { offset in
                let (spec, keepsMask) = candidates[start + offset]
                slots.set(start + offset, simulate(spec, keepsMask: keepsMask, machine: machine))
            }
            progress(end)
        }
        return slots.values.compactMap { $0 }
    }

    static func simulate(_ candidate: AttentionSpec, keepsMask: Bool, machine: MachineModel) -> SweepEntry? {
        guard let plan = try? TilePlan(candidate) else { return nil }
        let report = SimulationReport(plan: plan, summary: plan.summary(), machine: machine)
        var stride: [Int]?
        if case .neighborhood(let axes) = candidate.mask { stride = axes.map(\.stride) }
        return SweepEntry(
            queryTile: candidate.tiling.queryTile, keyTile: candidate.tiling.keyTile, stride: stride,
            simulatedSeconds: report.schedule.simulatedSeconds, flopSpeedupBound: report.flopSpeedupBound,
            tileSpeedupBound: report.tileSpeedupBound, maskFree: report.maskFree, visitedTilePairs: report.visitedTilePairs,
            partialTilePairs: report.partialTilePairs, keepsMask: keepsMask)
    }

    /// One slot per candidate, each written by exactly one worker.
    private final class Slots: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [SweepEntry?]

        init(count: Int) { storage = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ entry: SweepEntry?) {
            lock.lock()
            storage[index] = entry
            lock.unlock()
        }

        var values: [SweepEntry?] {
            lock.lock()
            defer { lock.unlock() }
            return storage
        }
    }
}
