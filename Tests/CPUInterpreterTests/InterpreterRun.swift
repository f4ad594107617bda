import AttentionRuntime
import AttentionSpec
import AttentionTensors
@testable import CPUInterpreter

/// Seeded random q, k, v for `spec`, as the interpreter reads them.
func randomOperands(_ spec: AttentionSpec, seed: UInt64) -> (q: [Float], k: [Float], v: [Float]) {
    let p = spec.problem
    var rng = SeededGenerator(seed: seed)
    let q = Tensor.random(shape: p.queryTensorShape, using: &rng).elements
    let k = Tensor.random(shape: p.keyTensorShape, using: &rng).elements
    let v = Tensor.random(shape: p.valueTensorShape, using: &rng).elements
    return (q, k, v)
}

/// One run of `interpreter` on the operands: output and lse, starting from NaN so that an
/// element the run never writes shows.
func run(_ interpreter: CPUInterpreter, _ operands: (q: [Float], k: [Float], v: [Float])) -> (output: [Float], lse: [Float]) {
    let p = interpreter.plan.spec.problem
    var output = [Float](repeating: .nan, count: p.outputTensorShape.reduce(1, *))
    var lse = [Float](repeating: .nan, count: p.lseTensorShape.reduce(1, *))
    operands.q.withUnsafeBufferPointer { q in
        operands.k.withUnsafeBufferPointer { k in
            operands.v.withUnsafeBufferPointer { v in
                output.withUnsafeMutableBufferPointer { o in lse.withUnsafeMutableBufferPointer { l in interpreter.run(q: q, k: k, v: v, output: o, lse: l) } }
            }
        }
    }
    return (output, lse)
}
