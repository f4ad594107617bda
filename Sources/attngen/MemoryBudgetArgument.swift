import ArgumentParser
import AttentionGen

/// `--memory-budget`, on the commands that allocate tensors or plan tables.
struct MemoryBudgetArgument: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Refuse specs that would allocate more than this many bytes (default: the host's physical memory).",
        valueName: "bytes"))
    var memoryBudget: Int?

    func validate() throws {
        if let memoryBudget, memoryBudget < 0 { throw ValidationError("--memory-budget \(memoryBudget): must be >= 0") }
    }

    var budget: MemoryBudget { memoryBudget.map(MemoryBudget.init(bytes:)) ?? .host }

    /// Refuses `spec` when the parts of its estimate that `uses` picks exceed the budget.
    func require(_ spec: AttentionSpec, path: String, _ uses: (MemoryEstimate) -> [(String, Int)]) throws {
        do {
            try budget.require(uses(MemoryEstimate(plan: TilePlan(spec))))
        } catch {
            throw CLIError("\(path): \(error)")
        }
    }
}
