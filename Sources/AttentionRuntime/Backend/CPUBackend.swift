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
    public static func execute(_ interpreter: CPUInterpreter, _ inputs: AttentionInputs, trace: InterpreterTrace? = nil) -> AttentionResult {
        let p = inputs.spec.problem
        var output = Tensor(zeros: p.outputTensorShape)
        var lse = Tensor(zeros: p.lseTensorShape)
        inputs.q.elements.withUnsafeBufferPointer { q in
            inputs.k.elements.withUnsafeBufferPointer { k in
                inputs.v.elements.withUnsafeBufferPointer { v in
                    output.elements.withUnsafeMutableBufferPointer { o in
                        lse.elements.withUnsafeMutableBufferPointer { l in
                            interpreter.run(q: q, k: k, v: v, output: o, lse: l, trace: trace)
                        }
                    }
                }
            }
        }
        return AttentionResult(output: output, lse: lse)
    }
}
