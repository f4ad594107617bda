import AttentionSpec
import AttentionTensors
import GLSLEmitter
import SPIRVCompiler
import VulkanRuntime

/// A compiled and uploaded Vulkan run: one pipeline per shader, every buffer of the program
/// bound at its fixed binding, the push constants packed once.
public struct VulkanPreparedRun: Sendable {
    public let context: VulkanContext
    public let layout: VulkanProgramLayout
    public let origin: KernelOrigin
    let steps: [VulkanDispatch]
    let buffers: [String: VulkanBuffer]

    /// `tensors`: the input tensors by buffer name (q, k, v and, for the backward, output, lse, dout).
    init(context: VulkanContext, layout: VulkanProgramLayout, origin: KernelOrigin, tensors: [String: Tensor]) throws(VulkanError) {
        self.context = context
        self.layout = layout
        self.origin = origin
        var named: [String: VulkanBuffer] = [:]
        var bound: [VulkanBuffer] = []
        let bindingCount = (layout.buffers.map(\.binding).max() ?? -1) + 1
        for binding in 0..<bindingCount {
            guard let buffer = layout.buffers.first(where: { $0.binding == binding }) else {
                bound.append(try context.makeBuffer(byteCount: 4))  // a binding this program never reads
                continue
            }
            let made: VulkanBuffer
            if buffer.role == GLSLBufferRole.input.rawValue {
                let values = tensors[buffer.name]?.elements ?? []
                made = try Self.upload(values, elementType: buffer.elementType, byteCount: buffer.byteCount, context: context)
            } else if let contents = buffer.contents {
                made = try context.makeBuffer(contents)
            } else {
                made = try context.makeBuffer(byteCount: buffer.byteCount)
            }
            named[buffer.name] = made
            bound.append(made)
        }
        var push = VulkanPushConstants()
        for constant in layout.pushConstants {
            switch constant {
            case .int(let value): push.append(Int32(value))
            case .float(let value): push.append(value)
            }
        }
        var steps: [VulkanDispatch] = []
        for shader in layout.shaders {
            let pipeline = try context.makePipeline(spirv: shader.spirv, storageBuffers: bindingCount, pushConstantBytes: push.paddedBytes.count)
            let groups = (x: shader.groupCount[0], y: shader.groupCount.count > 1 ? shader.groupCount[1] : 1, z: 1)
            steps.append(VulkanDispatch(pipeline, buffers: bound, pushConstants: push.paddedBytes, groups: groups))
        }
        self.steps = steps
        self.buffers = named
    }

    /// Tensors in their storage type: float32 as floats, 16-bit types as 16-bit patterns packed
    /// two to a word, the buffer rounded up to whole words (the values are already rounded to the
    /// storage type, so the conversions are exact).
    static func upload(_ values: [Float], elementType: String, byteCount: Int, context: VulkanContext) throws(VulkanError) -> VulkanBuffer {
        let buffer = try context.makeBuffer(byteCount: byteCount)
        switch elementType {
        case "float16":
            try buffer.upload(ElementType.float16.narrowed(values))
        case "bfloat16":
            try buffer.upload(ElementType.bfloat16.narrowed(values))
        default:
            try buffer.upload(values)
        }
        return buffer
    }

    /// Runs the dispatch sequence once and returns the device time in seconds (host time when
    /// the device has no timestamps).
    @discardableResult
    public func dispatch() throws(AttentionError) -> Double {
        do {
            let timing = try context.dispatchSequence(steps)
            return timing.deviceSeconds ?? timing.hostSeconds
        } catch {
            throw .backendFailed(name: "vulkan", reason: error.description)
        }
    }

    /// Buffer `name` of the last dispatch as a float32 tensor of `shape`.
    public func tensor(_ name: String, shape: [Int]) throws(AttentionError) -> Tensor {
        guard let buffer = buffers[name] else { throw .backendFailed(name: "vulkan", reason: "the program has no buffer \(name)") }
        do {
            return try Tensor(shape: shape, elements: buffer.read(as: Float.self, count: shape.reduce(1, *)))
        } catch let error as VulkanError {
            throw .backendFailed(name: "vulkan", reason: error.description)
        } catch {
            throw .backendFailed(name: "vulkan", reason: "\(error)")
        }
    }

    /// The output's values: float32, or 16-bit bits (two per word) widened exactly.
    private func outputValues(_ buffer: VulkanBuffer, _ p: AttentionProblem) throws(VulkanError) -> [Float] {
        let count = p.outputTensorShape.reduce(1, *)
        guard p.outputDtype != .float32 else { return try buffer.read(as: Float.self, count: count) }
        return p.outputDtype.widened(try buffer.read(as: UInt16.self, count: count))
    }

    /// The output and lse of the last dispatch.
    public func result() throws(AttentionError) -> AttentionResult {
        let p = layout.spec.problem
        guard let output = buffers["output"], let lse = buffers["lse"] else {
            throw .backendFailed(name: "vulkan", reason: "the program has no output buffers")
        }
        do {
            return AttentionResult(
                output: try Tensor(shape: p.outputTensorShape, elements: outputValues(output, p)),
                lse: try Tensor(shape: p.lseTensorShape, elements: lse.read(as: Float.self, count: p.lseTensorShape.reduce(1, *))))
        } catch let error as VulkanError {
            throw .backendFailed(name: "vulkan", reason: error.description)
        } catch {
            throw .backendFailed(name: "vulkan", reason: "\(error)")
        }
    }
}
