import AttentionSpec
import KernelLowering

/// What an argument of a generated kernel is bound to.
public enum OpenCLArgumentValue: Hashable, Sendable {
    /// One of the source's buffers, by name (see `OpenCLBufferSpecification`).
    case buffer(String)
    case int(Int)
    case float(Float)
}

/// One kernel argument: its C declaration and what the host passes.
public struct OpenCLKernelArgument: Hashable, Sendable {
    public let name: String
    /// The C type as declared in the kernel signature, e.g. `__global const storage_t*`, `int`.
    public let type: String
    public let value: OpenCLArgumentValue

    init(_ name: String, _ type: String, _ value: OpenCLArgumentValue) {
        self.name = name
        self.type = type
        self.value = value
    }

    static func int(_ name: String, _ value: Int) -> OpenCLKernelArgument { .init(name, "const int", .int(value)) }
    static func buffer(_ name: String, _ type: String) -> OpenCLKernelArgument { .init(name, type, .buffer(name)) }
    static func planBuffer(_ name: String) -> OpenCLKernelArgument { .buffer(name, "__global const int*") }

    /// `type name`, as in the kernel signature.
    public var declaration: String { "\(type) \(name)" }

    /// The arguments the mask predicate needs beyond `query_tokens` and `key_tokens`, which
    /// every attention kernel takes.
    public static func mask(_ mask: MaskLowering, problem: AttentionProblem) -> [OpenCLKernelArgument] {
        mask.sizes(for: problem).map { .int($0.name, $0.value) } + (mask.readsMaskTable ? [.planBuffer("mask_table")] : [])
    }
}

/// One kernel launch of the dispatch sequence: 1-D, `workgroups · localSize` work-items.
public struct OpenCLKernelLaunch: Hashable, Sendable {
    public let kernel: String
    public let arguments: [OpenCLKernelArgument]
    public let workgroups: Int
    public let localSize: Int
    /// How `workgroups` follows from the problem, e.g. "batch · heads · queryTiles".
    public let workgroupFormula: String
    /// Static `__local` memory of one work-group.
    public let localMemoryBytes: Int

    public var globalSize: Int { workgroups * localSize }
}

/// Element types of the buffers, as OpenCL C spells them.
public enum OpenCLElementType: String, Hashable, Sendable {
    case float, half, ushort, int

    public var byteSize: Int { self == .half || self == .ushort ? 2 : 4 }
}

/// What a buffer is for.
public enum OpenCLBufferRole: String, Hashable, Sendable {
    /// q, k, v: the caller's tensors in the storage type.
    case input
    /// output, lse: float32 results the caller reads back.
    case output
    /// Plan data the host builds from the tile plan (`contents` holds it).
    case plan
    /// Partial results between the attention and the merge kernel; no initial contents.
    case scratch
}

/// One device buffer of a generated program.
public struct OpenCLBufferSpecification: Hashable, Sendable {
    public let name: String
    public let role: OpenCLBufferRole
    public let elementType: OpenCLElementType
    /// Elements (at least 1: OpenCL has no empty buffers).
    public let count: Int
    /// Tensor shape for inputs and outputs.
    public let shape: [Int]?
    /// For plan buffers: the values to upload.
    public let contents: [Int32]?
    public let summary: String

    /// Bytes to allocate: 16-bit tensors are read as 32-bit words (see the storage preamble), so
    /// their size rounds up to a whole word.
    public var byteCount: Int { (count * elementType.byteSize + 3) / 4 * 4 }
}
