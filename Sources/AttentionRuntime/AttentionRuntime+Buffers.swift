import AttentionSpec
import AttentionTensors
import CPUInterpreter

extension AttentionRuntime {
    /// Runs on caller-owned memory: `q`, `k`, `v` hold the spec's tensors in C order as float32
    /// values, `output` and `lse` are written in place. On the CPU interpreter with a float32 spec
    /// nothing is copied; other backends copy to the device anyway, and 16-bit storage types are
    /// first rounded into a copy. Every count is checked against the spec before anything runs.
    /// Returns the name of the backend that ran.
    @discardableResult
    public func attention(
        _ spec: AttentionSpec, q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>,
        output: UnsafeMutableBufferPointer<Float>, lse: UnsafeMutableBufferPointer<Float>
    ) throws(AttentionError) -> String {
        do { try spec.validate() } catch { throw .invalidSpec(error) }
        let p = spec.problem
        for (role, count, shape) in [
            ("q", q.count, p.queryTensorShape), ("k", k.count, p.keyTensorShape), ("v", v.count, p.valueTensorShape),
            ("output", output.count, p.outputTensorShape), ("lse", lse.count, p.lseTensorShape),
        ] where count != shape.reduce(1, *) {
            throw .bufferSizeMismatch(role: role, expected: shape.reduce(1, *), shape: shape, found: count)
        }
        try checkMemory(spec)
        if backend is CPUBackend, p.dtype == .float32 {
            let interpreter: CPUInterpreter
            do { interpreter = try CPUInterpreter(spec: spec) } catch { throw .invalidSpec(error) }
            interpreter.run(q: q, k: k, v: v, output: output, lse: lse)
            return backend.name
        }
        let tensors: (q: Tensor, k: Tensor, v: Tensor)
        do {
            tensors = (try Tensor(shape: p.queryTensorShape, elements: Array(q)), try Tensor(shape: p.keyTensorShape, elements: Array(k)),
                       try Tensor(shape: p.valueTensorShape, elements: Array(v)))
        } catch {
            throw .backendFailed(name: backend.name, reason: error.description)
        }
        let result = try attention(spec, q: tensors.q, k: tensors.k, v: tensors.v)
        _ = output.update(fromContentsOf: result.output.elements)
        _ = lse.update(fromContentsOf: result.lse.elements)
        return result.backendName
    }
}
