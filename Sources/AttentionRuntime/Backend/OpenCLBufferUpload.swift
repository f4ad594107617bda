import AttentionTensors
import OpenCLEmitter
import OpenCLRuntime

/// Creates the device buffers a generated program binds: the tensors in their storage type
/// (float16 and bfloat16 as 16-bit patterns), the host-built plan tables, and room for the
/// partial results and the outputs.
struct OpenCLBufferUpload {
    let buffers: [String: OpenCLBuffer]

    /// `tensors`: the input tensors by buffer name (q, k, v and, for the backward, output, lse, dout).
    init(context: OpenCLContext, layout: OpenCLProgramLayout, tensors: [String: Tensor]) throws(OpenCLError) {
        var buffers: [String: OpenCLBuffer] = [:]
        for spec in layout.buffers {
            switch spec.role {
            case .input:
                guard let tensor = tensors[spec.name] else { continue }
                buffers[spec.name] = try Self.upload(tensor.elements, as: spec.elementType, context: context)
            case .plan:
                buffers[spec.name] = try context.makeBuffer(spec.contents ?? [0], access: .readOnly)
            case .output, .scratch:
                buffers[spec.name] = try context.makeBuffer(byteCount: spec.byteCount, access: .readWrite)
            }
        }
        self.buffers = buffers
    }

    /// `values` are already rounded to the storage type (`AttentionInputs`), so the 16-bit
    /// conversions are exact.
    static func upload(_ values: [Float], as type: OpenCLElementType, context: OpenCLContext) throws(OpenCLError) -> OpenCLBuffer {
        switch type {
        case .float:
            return try context.makeBuffer(values, access: .readOnly)
        case .half:
            return try context.makeBuffer(wholeWords(ElementType.float16.narrowed(values)), access: .readOnly)
        case .ushort:
            return try context.makeBuffer(wholeWords(ElementType.bfloat16.narrowed(values)), access: .readOnly)
        case .int:
            throw .call(name: "clCreateBuffer", code: .invalidValue, context: "tensors are stored as float, half or bfloat16, not int")
        }
    }

    /// The kernels read 16-bit tensors as 32-bit words: an odd count gets one padding element.
    static func wholeWords(_ values: [UInt16]) -> [UInt16] { values.count % 2 == 0 ? values : values + [0] }
}
