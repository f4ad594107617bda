import AttentionSpec
import Foundation

/// How many bytes a run, an emit or a check may allocate; specs that need more are refused
/// before anything is allocated.
public struct MemoryBudget: Hashable, Sendable, CustomStringConvertible {
    public let bytes: Int

    public init(bytes: Int) { self.bytes = max(0, bytes) }

    /// The host's physical memory: the default, as anything larger would only swap or be killed.
    public static var host: MemoryBudget { MemoryBudget(bytes: Int(clamping: ProcessInfo.processInfo.physicalMemory)) }

    public var description: String { "\(bytes) bytes" }

    /// Throws `SpecError.exceedsMemoryBudget` when the parts (what, bytes) need more than the budget.
    public func require(_ parts: [(String, Int)]) throws(SpecError) {
        let needed = parts.reduce(0) { $0.addingSaturating($1.1) }
        guard needed <= bytes else {
            let detail = parts.filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            throw .exceedsMemoryBudget(needed: needed, budget: bytes, detail: detail)
        }
    }
}

extension Int {
    /// `self + other`, or `Int.max` when it overflows (byte counts of refused specs).
    func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    /// The product of `factors`, or `Int.max` when it overflows.
    static func saturatingProduct(_ factors: Int...) -> Int { checkedProduct(factors) ?? .max }
}
