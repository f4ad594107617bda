/// Validation: every invalid spec becomes a `SpecError` naming the field and value.
extension AttentionSpec {
    /// Largest element count of any one tensor; keeps index arithmetic far from overflow.
    public static let maxTensorElements = 1 << 40

    /// Returns the spec unchanged if it is valid, otherwise throws the first problem found.
    public func validated() throws(SpecError) -> AttentionSpec {
        try validate()
        return self
    }

    public func validate() throws(SpecError) {
        try problem.validate()
        try validateMask()
        try validateTiling()
        try validateSchedule()
        try validateScores()
        try validatePages()
    }

    private func validateMask() throws(SpecError) {
        let rank = problem.rank
        switch mask {
        case .dense, .causal:
            break
        case .slidingWindow(let left, let right):
            try require(left >= -1, "mask.left", left, "must be >= 0, or -1 for unbounded")
            try require(right >= -1, "mask.right", right, "must be >= 0, or -1 for unbounded")
        case .neighborhood(let axes):
            guard axes.count == rank else {
                throw .mismatchedRank(field: "mask.window", found: axes.count, expected: rank, reference: "problem.queryShape")
            }
            guard problem.queryShape == problem.keyShape else {
                throw .invalidValue(
                    field: "problem.keyShape", value: "\(problem.keyShape)",
                    reason: "a neighborhood mask needs the key grid to equal the query grid \(problem.queryShape)")
            }
            for (axis, a) in axes.enumerated() {
                let length = problem.queryShape[axis]
                try require(a.window >= 1, "mask.window[\(axis)]", a.window, "must be >= 1")
                try require(
                    a.window <= length, "mask.window[\(axis)]", a.window,
                    "is larger than the axis (problem.queryShape[\(axis)] = \(length))")
                try require(a.dilation >= 1, "mask.dilation[\(axis)]", a.dilation, "must be >= 1")
                let span = a.window.multipliedReportingOverflow(by: a.dilation)
                try require(
                    !span.overflow && span.partialValue <= length, "mask.dilation[\(axis)]", a.dilation,
                    "window·dilation = \(a.window)·\(a.dilation)\(span.overflow ? "" : " = \(span.partialValue)") exceeds the axis length \(length)")
                try require(
                    a.stride >= 1 && a.stride <= a.window, "mask.stride[\(axis)]", a.stride,
                    "must be between 1 and the window (\(a.window))")
            }
        case .blockSparse(let layout):
            try validateBlockSparse(layout)
        case .varlen(let lengths):
            try validateVariableLengths(lengths)
        }
    }

    private func validateVariableLengths(_ lengths: VariableLengths) throws(SpecError) {
        try require(problem.rank == 1, "problem.queryShape", problem.queryShape, "a varlen mask packs its sequences along one token axis")
        try require(problem.batch == 1, "problem.batch", problem.batch, "must be 1 with a varlen mask: the sequences are the batch")
        try require(lengths.left >= -1, "mask.left", lengths.left, "must be >= 0, or -1 for unbounded")
        try require(lengths.right >= -1, "mask.right", lengths.right, "must be >= 0, or -1 for unbounded")
        for (name, offsets, total) in [
            ("mask.queryOffsets", lengths.queryOffsets, problem.queryTokens), ("mask.keyOffsets", lengths.keyOffsets, problem.keyTokens),
        ] {
            try require(offsets.count >= 2, name, "\(offsets.count) offsets", "needs at least two (one sequence: [0, tokens])")
            try require(offsets[0] == 0, "\(name)[0]", offsets[0], "must be 0")
            for n in 1..<offsets.count {
                try require(offsets[n] >= offsets[n - 1], "\(name)[\(n)]", offsets[n], "is below the offset before it (\(offsets[n - 1]))")
            }
            try require(offsets.last == total, "\(name)[\(offsets.count - 1)]", offsets.last!, "must equal the packed token count \(total)")
        }
        try require(
            lengths.queryOffsets.count == lengths.keyOffsets.count, "mask.keyOffsets", "\(lengths.keyOffsets.count) offsets",
            "needs as many as mask.queryOffsets (\(lengths.queryOffsets.count)): one per sequence, plus one")
    }

    private func validateBlockSparse(_ layout: BlockSparseLayout) throws(SpecError) {
        try requireBox(layout.queryBlock, "mask.queryBlock")
        try requireBox(layout.keyBlock, "mask.keyBlock")
        let queryBlocks = BlockGrid(grid: TokenGrid(problem.queryShape), block: layout.queryBlock)
        let keyBlocks = BlockGrid(grid: TokenGrid(problem.keyShape), block: layout.keyBlock)
        guard layout.kvIndices.count == queryBlocks.count else {
            throw .invalidValue(
                field: "mask.kvIndices", value: "\(layout.kvIndices.count) rows",
                reason: "needs one row per query block (\(queryBlocks.count) blocks of \(layout.queryBlock) over \(problem.queryShape))")
        }
        guard layout.fullIndices.isEmpty || layout.fullIndices.count == queryBlocks.count else {
            throw .invalidValue(
                field: "mask.fullIndices", value: "\(layout.fullIndices.count) rows",
                reason: "needs one row per query block (\(queryBlocks.count)) or none at all")
        }
        for (name, rows) in [("mask.kvIndices", layout.kvIndices), ("mask.fullIndices", layout.fullIndices)] {
            for (row, indices) in rows.enumerated() {
                for (n, index) in indices.enumerated() where index < 0 || index >= keyBlocks.count {
                    throw .invalidValue(
                        field: "\(name)[\(row)][\(n)]", value: "\(index)",
                        reason: "is not a key block index (0..<\(keyBlocks.count))")
                }
            }
        }
        guard layout.causal else { return }
        // A declared full block must need no element mask: under causal, its last key must be
        // visible to its first query.
        let grid = (q: TokenGrid(problem.queryShape), k: TokenGrid(problem.keyShape))
        for (row, indices) in layout.fullIndices.enumerated() {
            let firstQuery = grid.q.index(of: (0..<problem.rank).map { queryBlocks.range(ofBlock: row, axis: $0).lowerBound })
            for (n, kb) in indices.enumerated() {
                let lastKey = grid.k.index(of: (0..<problem.rank).map { keyBlocks.range(ofBlock: kb, axis: $0).upperBound - 1 })
                if lastKey > firstQuery + problem.keyTokens - problem.queryTokens {
                    throw .invalidValue(
                        field: "mask.fullIndices[\(row)][\(n)]", value: "\(kb)",
                        reason: "is not fully visible under the causal mask; list it in kvIndices instead")
                }
            }
        }
    }

    private func validateTiling() throws(SpecError) {
        try requireBox(tiling.queryTile, "tiling.queryTile")
        try requireBox(tiling.keyTile, "tiling.keyTile")
    }

    private func requireBox(_ box: [Int], _ field: String) throws(SpecError) {
        guard box.count == problem.rank else {
            throw .mismatchedRank(field: field, found: box.count, expected: problem.rank, reference: "problem.queryShape")
        }
        for (axis, size) in box.enumerated() {
            try require(size >= 1, "\(field)[\(axis)]", size, "must be >= 1")
        }
    }

    private func validateSchedule() throws(SpecError) {
        switch schedule {
        case .flash: break
        case .splitKV(let splits): try require(splits >= 1, "schedule.splits", splits, "must be >= 1")
        case .lean(let workgroups): try require(workgroups >= 1, "schedule.workgroups", workgroups, "must be >= 1")
        }
    }
}

extension AttentionProblem {
    public func validate() throws(SpecError) {
        for (field, value) in [
            ("batch", batch), ("heads", heads), ("kvHeads", kvHeads), ("headDim", headDim), ("valueDim", valueDim),
        ] {
            try require(value >= 1, "problem.\(field)", value, "must be >= 1")
        }
        try require(
            heads % kvHeads == 0, "problem.kvHeads", kvHeads,
            "must divide problem.heads (\(heads)) for grouped-query attention")
        try require(
            (1...3).contains(queryShape.count), "problem.queryShape", queryShape, "must have 1 to 3 axes")
        guard keyShape.count == queryShape.count else {
            throw .mismatchedRank(field: "problem.keyShape", found: keyShape.count, expected: queryShape.count, reference: "problem.queryShape")
        }
        for (name, shape) in [("queryShape", queryShape), ("keyShape", keyShape)] {
            for (axis, size) in shape.enumerated() {
                try require(size >= 1, "problem.\(name)[\(axis)]", size, "must be >= 1")
            }
        }
        try validatePages()
        if let scale {
            try require(scale.isFinite && scale != 0, "problem.scale", scale, "must be finite and non-zero")
            // The kernels compute in float32: the scale must survive the conversion, and scores of
            // unit-magnitude inputs (|q·k| up to headDim) must not overflow once scaled.
            try require(
                abs(scale) >= Double(Float.leastNormalMagnitude), "problem.scale", scale,
                "is below float32's smallest normal value (\(Float.leastNormalMagnitude)) and would round to zero")
            try require(
                abs(scale) * Double(headDim) <= Double(Float.greatestFiniteMagnitude), "problem.scale", scale,
                "overflows float32: |scale|·headDim must be at most \(Float.greatestFiniteMagnitude)")
        }
        for (name, shape) in [
            ("query", queryTensorShape), ("key", keyTensorShape), ("value", valueTensorShape), ("output", outputTensorShape),
            ("logical key", logicalKeyTensorShape),
        ] {
            // Every size is >= 1 by now, so the product only grows: its final value decides.
            guard let elements = checkedProduct(shape), elements <= AttentionSpec.maxTensorElements else {
                throw .invalidValue(field: "problem", value: "\(name) tensor \(shape)", reason: "has more than 2^40 elements")
            }
        }
        // Plan summaries count (query, key) pairs over all batches and heads in Int.
        try require(
            checkedProduct([batch, heads, queryTokens, keyTokens]) != nil, "problem", "\(batch)·\(heads)·\(queryTokens)·\(keyTokens) (batch·heads·queries·keys)",
            "has more (query, key) pairs than a 64-bit count holds")
    }
}

/// The product of `factors`, or nil when it overflows `Int` (sizes checked before anything is allocated).
package func checkedProduct(_ factors: [Int]) -> Int? {
    var product = 1
    for factor in factors {
        let (next, overflow) = product.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        product = next
    }
    return product
}

func require<T>(_ condition: Bool, _ field: String, _ value: T, _ reason: String) throws(SpecError) {
    if !condition { throw .invalidValue(field: field, value: "\(value)", reason: reason) }
}
