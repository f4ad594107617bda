/// A paged KV cache (vLLM's and FlashAttention's `block_table`): K and V live in a pool of
/// `pageCount` pages of `pageSize` tokens, as `[pageCount, pageSize, kvHeads, headDim]`, and
/// sequence `s` keeps its keys in the pages `pageTable[s]`, in order: its key `j` is row
/// `j mod pageSize` of page `pageTable[s][j div pageSize]`.
///
/// The sequences are the batch entries, or with a varlen mask its packed sequences (key `j`
/// of sequence `s` is then packed key `keyOffsets[s] + j`). A table row may list more pages
/// than its sequence fills (a table padded to the longest sequence); the extra entries are
/// never read and not checked. Pages may be shared between sequences (a common prefix).
/// Inference only: a spec with pages has no backward pass.
public struct KeyValuePages: Hashable, Sendable {
    public var pageSize: Int
    public var pageCount: Int
    /// Per sequence, the pages that hold its keys in order.
    public var pageTable: [[Int]]

    public init(pageSize: Int, pageCount: Int, pageTable: [[Int]]) {
        self.pageSize = pageSize
        self.pageCount = pageCount
        self.pageTable = pageTable
    }

    /// Pool tokens: the rows of the `[pageCount · pageSize, kvHeads, headDim]` pool (wrapping; validation bounds it).
    public var poolTokens: Int { pageCount &* pageSize }

    /// Pages that `keys` keys fill: the table entries a sequence of that length reads.
    public func pages(holding keys: Int) -> Int { (keys + pageSize - 1) / pageSize }

    /// The pool row of key `key` of sequence `sequence`.
    public func slot(sequence: Int, key: Int) -> Int {
        let (page, row) = key.quotientAndRemainder(dividingBy: pageSize)
        return pageTable[sequence][page] * pageSize + row
    }
}

extension AttentionSpec {
    /// The sequences that own keys, and each one's first key and length in the key tensor's
    /// logical layout `[batch, keyTokens]` (flattened): the batch entries, or a varlen mask's
    /// packed sequences.
    public var keySequences: [(first: Int, count: Int)] {
        if case .varlen(let lengths) = mask {
            return (0..<lengths.sequences).map { (lengths.keyOffsets[$0], lengths.keyOffsets[$0 + 1] - lengths.keyOffsets[$0]) }
        }
        let keys = problem.keyTokens
        return (0..<problem.batch).map { ($0 * keys, keys) }
    }

    /// For a paged spec, the pool row of every logical key, `[batch · keyTokens]`: what the
    /// kernels and the interpreter read K and V through. nil without pages.
    public var keySlots: [Int]? {
        guard let pages = problem.pages else { return nil }
        var slots = [Int](repeating: 0, count: problem.batch * problem.keyTokens)
        for (sequence, keys) in keySequences.enumerated() {
            for j in 0..<keys.count { slots[keys.first + j] = pages.slot(sequence: sequence, key: j) }
        }
        return slots
    }

    /// The K and V pools' rows gathered into the logical layout `[batch, keyTokens, kvHeads, dim]`
    /// (for the float64 reference); `k` and `v` themselves without pages.
    public func logicalKeysAndValues<T>(_ k: [T], _ v: [T]) -> (k: [T], v: [T]) {
        guard let slots = keySlots else { return (k, v) }
        func gather(_ pool: [T], width: Int) -> [T] {
            let row = problem.kvHeads * width
            var rows: [T] = []
            rows.reserveCapacity(slots.count * row)
            for slot in slots { rows += pool[(slot * row)..<((slot + 1) * row)] }
            return rows
        }
        return (gather(k, width: problem.headDim), gather(v, width: problem.valueDim))
    }

    /// Checks the page table against the sequences the mask defines.
    func validatePages() throws(SpecError) {
        guard let pages = problem.pages else { return }
        let sequences = keySequences
        guard pages.pageTable.count == sequences.count else {
            throw .invalidValue(
                field: "problem.pages.pageTable", value: "\(pages.pageTable.count) rows",
                reason: "needs one row per sequence (\(sequences.count): \(mask.kind == "varlen" ? "the varlen mask's sequences" : "problem.batch"))")
        }
        for (sequence, keys) in sequences.enumerated() {
            let needed = pages.pages(holding: keys.count)
            let row = pages.pageTable[sequence]
            guard row.count >= needed else {
                throw .invalidValue(
                    field: "problem.pages.pageTable[\(sequence)]", value: "\(row.count) pages",
                    reason: "sequence \(sequence) has \(keys.count) keys, which fill \(needed) pages of \(pages.pageSize)")
            }
            for (index, page) in row.prefix(needed).enumerated() {
                try require(
                    page >= 0 && page < pages.pageCount, "problem.pages.pageTable[\(sequence)][\(index)]", page,
                    "is not a page of the pool (0 ..< \(pages.pageCount))")
            }
        }
    }
}

extension AttentionProblem {
    /// Checks the pool's own sizes; the table is checked against the sequences by the spec.
    func validatePages() throws(SpecError) {
        guard let pages else { return }
        try require(rank == 1, "problem.pages", "\(pages.pageCount) pages of \(pages.pageSize)", "a paged KV cache holds one token axis, but the key grid \(keyShape) has \(rank) axes")
        try require(pages.pageSize >= 1, "problem.pages.pageSize", pages.pageSize, "must be >= 1")
        try require(pages.pageCount >= 1, "problem.pages.pageCount", pages.pageCount, "must be >= 1")
        let pool = pages.pageCount.multipliedReportingOverflow(by: pages.pageSize)
        try require(
            !pool.overflow && pool.partialValue <= Int(Int32.max), "problem.pages.pageCount", pages.pageCount,
            "pageCount·pageSize = \(pool.overflow ? "more than 2^63" : "\(pool.partialValue)") pool rows exceed the kernels' 32-bit row indices (at most \(Int32.max))")
        let logical = batch.multipliedReportingOverflow(by: keyTokens)
        try require(
            !logical.overflow && logical.partialValue <= Int(Int32.max), "problem.keyShape", keyShape,
            "batch·keys exceeds the kernels' 32-bit slot table indices (at most \(Int32.max)) for a paged cache")
    }
}
