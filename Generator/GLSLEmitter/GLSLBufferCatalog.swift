import AttentionPlan
import AttentionSpec
import AttentionTensors

/// Every buffer a generated program may bind, with its fixed binding, element type and length.
struct GLSLBufferCatalog {
    let spec: AttentionSpec
    let configuration: GLSLConfiguration
    let planWords: [Int32]
    let partition: WorkPartition

    var all: [GLSLBufferBinding] {
        let p = spec.problem
        let slots = (0..<(partition.needsMerge ? partition.outputTileCount : 0)).reduce(0) { $0 + partition.partCount(ofOutputTile: $1) }
        let rows = configuration.maxQueryRows
        let dtype = p.dtype.rawValue
        return [
            tensor("q", p.queryTensorShape, "queries [batch, *queryShape, heads, headDim], \(dtype)"),
            tensor("k", p.keyTensorShape, "keys [batch, *keyShape, kvHeads, headDim], \(dtype)"),
            tensor("v", p.valueTensorShape, "values [batch, *keyShape, kvHeads, valueDim], \(dtype)"),
            output(p.outputTensorShape, p.outputDtype),
            floats("bias", .input, spec.scores.bias?.shape(for: p) ?? [1], "score bias [batch | 1, heads | 1, queryTokens, keyTokens], float32"),
            floats("lse", .output, p.lseTensorShape, "natural-log log-sum-exp [batch, *queryShape, heads], float32; -inf for rows that see no key"),
            GLSLBufferBinding(
                binding: number("plan"), name: "plan", role: .plan, elementType: "int32", glslType: "int", count: planWords.count,
                byteCount: 4 * planWords.count, shape: nil, contents: planWords,
                summary: "the plan tables, packed; push constant <table>_base is each table's word offset"),
            scratch("partial_m", slots * rows, "running max per partial slot and row (slot * MAX_QUERY_ROWS + row)"),
            scratch("partial_l", slots * rows, "running sum per partial slot and row"),
            scratch("partial_acc", slots * rows * p.valueDim, "unnormalised output per partial slot, row and column"),
        ]
    }

    func binding(_ name: String) -> GLSLBufferBinding? { all.first { $0.name == name } }

    private func number(_ name: String) -> Int { GLSLKernelSource.bindingNumbers[name]! }

    private func tensor(_ name: String, _ shape: [Int], _ summary: String) -> GLSLBufferBinding {
        let count = shape.reduce(1, *)
        let dtype = configuration.dtype
        let glslType: String = switch (dtype, configuration.sixteenBitStorage) {
        case (.float32, _): "float"
        case (.float16, true): "float16_t"
        case (.bfloat16, true): "uint16_t"
        case (_, false): "uint"
        }
        let bytes = count * dtype.byteSize
        return GLSLBufferBinding(
            binding: number(name), name: name, role: .input, elementType: dtype.rawValue, glslType: glslType, count: count,
            byteCount: max(4, (bytes + 3) / 4 * 4), shape: shape, contents: nil, summary: summary)
    }

    /// The output: float32, or 16-bit elements two to a `uint` word (low half first).
    private func output(_ shape: [Int], _ dtype: ElementType) -> GLSLBufferBinding {
        guard dtype != .float32 else { return floats("output", .output, shape, "attention output [batch, *queryShape, heads, valueDim], float32") }
        let count = max(1, shape.reduce(1, *))
        return GLSLBufferBinding(
            binding: number("output"), name: "output", role: .output, elementType: dtype.rawValue, glslType: "uint", count: count,
            byteCount: max(4, (count * 2 + 3) / 4 * 4), shape: shape, contents: nil,
            summary: "attention output [batch, *queryShape, heads, valueDim], \(dtype.rawValue) (two elements per word, low half first)")
    }

    /// A float32 tensor binding: an output, or the bias (float32 whatever the storage type).
    private func floats(_ name: String, _ role: GLSLBufferRole, _ shape: [Int], _ summary: String) -> GLSLBufferBinding {
        let count = max(1, shape.reduce(1, *))
        return GLSLBufferBinding(
            binding: number(name), name: name, role: role, elementType: "float32", glslType: "float", count: count,
            byteCount: 4 * count, shape: shape, contents: nil, summary: summary)
    }

    private func scratch(_ name: String, _ count: Int, _ summary: String) -> GLSLBufferBinding {
        GLSLBufferBinding(
            binding: number(name), name: name, role: .scratch, elementType: "float32", glslType: "float", count: max(1, count),
            byteCount: 4 * max(1, count), shape: nil, contents: nil, summary: summary)
    }
}
