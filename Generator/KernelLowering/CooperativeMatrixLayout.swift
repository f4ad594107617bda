/// The shared-memory layout and fragment counts of a cooperative-matrix strategy on a program:
/// what the lowering's constants, the shared-memory budget and the loop estimate read. Q, the
/// K/V stage and P hold operands (row-major, 16-bit in the real forms); S and O hold float32.
public struct CooperativeMatrixLayout: Hashable, Sendable {
    public let matrix: CooperativeMatrixStrategy
    public let tileRows: Int
    public let blockKeys: Int
    /// Head dim and value dim zero-padded to whole fragments.
    public let headPad: Int
    public let valuePad: Int
    /// Row strides, in elements.
    public let queryStride: Int
    public let keyStride: Int
    public let valueStride: Int
    public let scoreStride: Int
    public let probabilityStride: Int
    public let outputStride: Int
    /// Operand elements of the K/V stage (a K block, later the same step's V block).
    public let stageElements: Int
    /// Fragments of S (`tileRows/m × blockKeys/n`) and of O (`tileRows/m × valuePad/n`).
    public let scoreFragments: Int
    public let outputFragments: Int
    private let fixedBytes: Int

    /// Nil for a SIMT strategy.
    public init?(_ strategy: KernelStrategy, _ facts: KernelFacts) {
        guard let matrix = strategy.matrix else { return nil }
        self.matrix = matrix
        tileRows = strategy.tileRows
        blockKeys = strategy.blockKeys
        headPad = matrix.paddedHeadDim(facts)
        valuePad = matrix.paddedValueDim(facts)
        queryStride = matrix.operandStride(headPad)
        keyStride = matrix.operandStride(headPad)
        valueStride = matrix.operandStride(valuePad)
        scoreStride = matrix.accumulatorStride(blockKeys)
        probabilityStride = matrix.operandStride(blockKeys)
        // The softmax's micro-tiles rescale O columns up to KEY_THREADS × OUT_COLUMNS.
        outputStride = matrix.accumulatorStride(max(valuePad, strategy.keyThreads * strategy.outputColumns(valueDim: facts.valueDim)))
        stageElements = blockKeys * max(keyStride, valueStride)
        scoreFragments = (tileRows / matrix.m) * (blockKeys / matrix.n)
        outputFragments = (tileRows / matrix.m) * (valuePad / matrix.n)
        let reduction = strategy.reduction == .sharedMemory ? tileRows * strategy.keyThreads : 0
        let operands = tileRows * queryStride + stageElements + tileRows * probabilityStride
        let scratch = CooperativeMatrixFragments(matrix).scratchFloats
        let floats = tileRows * scoreStride + tileRows * outputStride + reduction + scratch
        fixedBytes = matrix.operandBytes * operands + 4 * (floats + tileRows + (facts.paged ? 3 : 2) * facts.panelKeys)
    }

    /// Bytes of shared memory one attention work-group uses.
    public var sharedMemoryBytes: Int { fixedBytes }
}
