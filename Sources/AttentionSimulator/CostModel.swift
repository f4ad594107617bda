import AttentionPlan
import AttentionSpec

/// What a tile costs (docs/cost-model.md).
///
/// FLOPs: each (query, key) pair inside a visited tile costs `2·headDim` for `S = Q·Kᵀ` and
/// `2·valueDim` for `O += P·V` (4·d when they are equal); masked elements inside a visited tile
/// cost the same as allowed ones. Bytes: a visited key tile loads its K and V rows in the storage
/// type; a work segment loads its Q tile once and writes its output (float32 values, plus the
/// log-sum-exp), or writes a partial (values, running max and sum in float32) that the merge
/// step reads back.
public struct CostModel: Sendable {
    public let problem: AttentionProblem

    public init(problem: AttentionProblem) { self.problem = problem }

    public var flopsPerPair: Double { Double(2 * (problem.headDim + problem.valueDim)) }
    var storageBytes: Double { Double(problem.dtype.byteSize) }

    public func keyTileBytes(keys: Int) -> Double { Double(keys) * Double(problem.headDim + problem.valueDim) * storageBytes }
    public func queryTileBytes(queries: Int) -> Double { Double(queries) * Double(problem.headDim) * storageBytes }
    /// Output or partial written by one segment: values plus (max, sum) / lse, float32.
    public func resultBytes(queries: Int) -> Double { Double(queries) * Double(problem.valueDim + 2) * 4 }

    /// Seconds for `flops` and `bytes` on one compute unit of `machine` (roofline: the slower of the two).
    public func seconds(flops: Double, bytes: Double, on machine: MachineModel) -> Double {
        let peak = problem.dtype == .float32 ? machine.peakFlops32 : machine.peakFlops16
        let units = Double(machine.computeUnits)
        return max(flops / (peak / units), bytes / (machine.bandwidth / units))
    }
}
