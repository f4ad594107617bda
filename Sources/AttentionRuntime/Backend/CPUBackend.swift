import AttentionSpec
import AttentionTensors
import CPUInterpreter

/// The SIMD CPU interpreter behind the backend seam.
public struct CPUBackend: AttentionBackend {
    public let name = "cpu"
    /// How the interpreter's device is named: the host's cores and the micro-kernel ISA.
    public static let hostDevice = "host CPU (SIMD interpreter)"
    /// When set, records the tiles visited and masked (for tests of the one-plan invariant).
    public let trace: InterpreterTrace?

    public init(trace: InterpreterTrace? = nil) {
        self.trace = trace
    }

    public func run(_ inputs: AttentionInputs) throws(AttentionError) -> AttentionResult {
        let interpreter: CPUInterpreter
        do { interpreter = try CPUInterpreter(spec: inputs.spec) } catch { throw .invalidSpec(error) }
        return Self.execute(interpreter, inputs, trace: trace)
    }

    /// Runs an already-planned interpreter (benchmarks reuse one across runs).
    ///
    /// 16-bit K and V that nobody has rounded yet go to the run as given, checked as it reads
    /// them: when they held exactly, the result is the rounded inputs' and they are recorded
    /// as checked; otherwise that run is discarded and the rounded K and V run (the same result
    /// as rounding first, for the price of one more run).
    public static func execute(_ interpreter: CPUInterpreter, _ inputs: AttentionInputs, trace: InterpreterTrace? = nil) -> AttentionResult {
        let (k, v) = (inputs.operands.current(.k), inputs.operands.current(.v))
        if trace == nil, !(k.settled && v.settled), let check = StorageCheck(inputs.spec.problem.dtype) {
            let result = run(interpreter, inputs, k: k.tensor, v: v.tensor, storageCheck: check)
            if check.passed {
                inputs.operands.markExact(.k)
                inputs.operands.markExact(.v)
                return result
            }
        }
        return run(interpreter, inputs, k: inputs.k, v: inputs.v, trace: trace)
    }

    private static func run(
        _ interpreter: CPUInterpreter, _ inputs: AttentionInputs, k: Tensor, v: Tensor, trace: InterpreterTrace? = nil,
        storageCheck: StorageCheck? = nil
    ) -> AttentionResult {
        let p = inputs.spec.problem
        var output = Tensor(zeros: p.outputTensorShape)
        var lse = Tensor(zeros: p.lseTensorShape)
        let bias = inputs.bias?.elements ?? []
        inputs.q.elements.withUnsafeBufferPointer { q in
            k.elements.withUnsafeBufferPointer { k in
                v.elements.withUnsafeBufferPointer { v in
                    bias.withUnsafeBufferPointer { b in
                        output.elements.withUnsafeMutableBufferPointer { o in
                            lse.elements.withUnsafeMutableBufferPointer { l in
                                interpreter.run(
                                    q: q, k: k, v: v, bias: inputs.bias == nil ? nil : b, output: o, lse: l, trace: trace,
                                    storageCheck: storageCheck)
                            }
                        }
                    }
                }
            }
        }
        // The interpreter computes in float32; a 16-bit output is rounded once, as a kernel stores it.
        p.outputDtype.round(&output)
        return AttentionResult(output: output, lse: lse)
    }
}

extension CPUBackend {
    /// The backward pass on the interpreter; the forward runs first when its output and lse
    /// were not given.
    public func gradients(_ inputs: AttentionGradientInputs) throws(AttentionError) -> AttentionGradients {
        let interpreter: CPUInterpreter
        do { interpreter = try CPUInterpreter(spec: inputs.spec) } catch { throw .invalidSpec(error) }
        return Self.gradients(interpreter, inputs)
    }

    /// Runs the backward on an already-planned interpreter (benchmarks reuse one across runs).
    public static func gradients(
        _ interpreter: CPUInterpreter, _ inputs: AttentionGradientInputs, decomposition: CPUInterpreter.GradientDecomposition? = nil
    ) -> AttentionGradients {
        let forward = inputs.forwardResult { () -> AttentionResult in execute(interpreter, inputs.forward) }
        let p = inputs.spec.problem
        var gradients = AttentionGradients(
            dq: Tensor(zeros: p.queryTensorShape), dk: Tensor(zeros: p.keyTensorShape), dv: Tensor(zeros: p.valueTensorShape))
        let f = inputs.forward
        let bias = f.bias?.elements ?? []
        bias.withUnsafeBufferPointer { b in
            f.q.elements.withUnsafeBufferPointer { q in
                f.k.elements.withUnsafeBufferPointer { k in
                    f.v.elements.withUnsafeBufferPointer { v in
                        forward.output.elements.withUnsafeBufferPointer { output in
                            forward.lse.elements.withUnsafeBufferPointer { lse in
                                inputs.dOutput.elements.withUnsafeBufferPointer { dOutput in
                                    gradients.dq.elements.withUnsafeMutableBufferPointer { dq in
                                        gradients.dk.elements.withUnsafeMutableBufferPointer { dk in
                                            gradients.dv.elements.withUnsafeMutableBufferPointer { dv in
                                                interpreter.gradients(
                                                    q: q, k: k, v: v, bias: f.bias == nil ? nil : b, output: output, lse: lse, dOutput: dOutput,
                                                    dq: dq, dk: dk, dv: dv, decomposition: decomposition)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return gradients
    }
}
