import AttentionPlan
import AttentionSpec

extension AttentionRuntime {
    /// Refuses `spec` when a run would allocate more than `memoryBudget`, from counts alone.
    public func checkMemory(_ spec: AttentionSpec) throws(AttentionError) {
        do {
            try memoryBudget.require(MemoryEstimate(plan: TilePlan(spec)).run)
        } catch {
            throw .invalidSpec(error)
        }
    }

    /// Refuses `spec`'s backward when it would allocate more than `memoryBudget`.
    public func checkBackwardMemory(_ spec: AttentionSpec) throws(AttentionError) {
        do {
            try memoryBudget.require(MemoryEstimate(plan: TilePlan(spec)).backward)
        } catch {
            throw .invalidSpec(error)
        }
    }

    /// A copy of this runtime with another memory budget.
    public func withMemoryBudget(_ budget: MemoryBudget) -> AttentionRuntime {
        var copy = self
        copy.memoryBudget = budget
        return copy
    }
}
