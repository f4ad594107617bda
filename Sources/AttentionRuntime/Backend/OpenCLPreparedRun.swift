import AttentionTensors
import OpenCLEmitter
import OpenCLRuntime

/// A built and uploaded OpenCL run: kernels with their arguments bound to device buffers.
/// `dispatch()` may be called repeatedly (benchmarks); each call recomputes the output.
public struct OpenCLPreparedRun: Sendable {
    struct Step: Sendable {
        let kernel: OpenCLKernel
        let arguments: [KernelArgument]
        let launch: OpenCLProgramLayout.Launch
    }

    public let context: OpenCLContext
    public let layout: OpenCLProgramLayout
    /// Where the program came from.
    public let origin: KernelOrigin
    let steps: [Step]
    let buffers: [String: OpenCLBuffer]

    /// Enqueues the dispatch sequence, waits for it, and returns the device time in seconds
    /// summed over the kernels' profiling events.
    @discardableResult
    public func dispatch() throws(AttentionError) -> Double {
        try failing { () throws(OpenCLError) -> Double in
            var events: [OpenCLEvent] = []
            for step in steps {
                events.append(try context.dispatch(
                    step.kernel, global: [step.launch.globalSize], local: [step.launch.localSize], arguments: step.arguments))
            }
            var seconds = 0.0
            for event in events { seconds += try event.elapsedSeconds }
            return seconds
        }
    }

    /// Buffer `name` of the last dispatch as a float32 tensor of `shape`.
    public func tensor(_ name: String, shape: [Int]) throws(AttentionError) -> Tensor {
        let values = try failing { () throws(OpenCLError) -> [Float] in
            guard let buffer = buffers[name] else {
                throw .call(name: "clEnqueueReadBuffer", code: .invalidValue, context: "the program has no buffer \(name)")
            }
            return try buffer.read(as: Float.self)
        }
        do {
            return try Tensor(shape: shape, elements: Array(values.prefix(shape.reduce(1, *))))
        } catch {
            throw .backendFailed(name: "opencl", reason: error.description)
        }
    }

    /// The output and lse of the last dispatch.
    public func result() throws(AttentionError) -> AttentionResult {
        let p = layout.spec.problem
        let (output, lse) = try failing { () throws(OpenCLError) -> ([Float], [Float]) in
            guard let output = buffers["output"], let lse = buffers["lse"] else {
                throw .call(name: "clEnqueueReadBuffer", code: .invalidValue, context: "the program has no output buffers")
            }
            // A 16-bit output comes back as its bits, widened exactly.
            let values = p.outputDtype == .float32 ? try output.read(as: Float.self) : p.outputDtype.widened(try output.read(as: UInt16.self))
            return (values, try lse.read(as: Float.self))
        }
        do {
            return AttentionResult(
                output: try Tensor(shape: p.outputTensorShape, elements: Array(output.prefix(p.outputTensorShape.reduce(1, *)))),
                lse: try Tensor(shape: p.lseTensorShape, elements: lse))
        } catch {
            throw .backendFailed(name: "opencl", reason: error.description)
        }
    }
}
