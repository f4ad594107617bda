import KernelLowering

/// What a buffer is for.
public enum GLSLBufferRole: String, Hashable, Sendable {
    /// q, k, v: the caller's tensors in the storage type.
    case input
    /// output, lse: float32 results the caller reads back.
    case output
    /// The packed plan tables the host uploads (`contents`).
    case plan
    /// Partial results between the attention and the merge shader; no initial contents.
    case scratch
}

/// One storage buffer (`std430`, descriptor set 0) of a generated program. Binding numbers are
/// fixed per buffer across the program's shaders, so one descriptor-set layout with every
/// binding serves all of them (a shader declares only the ones it uses).
public struct GLSLBufferBinding: Hashable, Sendable {
    public let binding: Int
    public let name: String
    public let role: GLSLBufferRole
    /// The element type of the data: `float32`, `float16`, `bfloat16` or `int32`.
    public let elementType: String
    /// The GLSL type of the declared array: `float`, `int`, `uint` (two 16-bit elements per
    /// word, low half first), or `float16_t` / `uint16_t` with 16-bit storage.
    public let glslType: String
    /// Elements (at least 1: Vulkan has no empty buffers).
    public let count: Int
    /// Bytes to allocate: the elements' bytes rounded up to a multiple of 4.
    public let byteCount: Int
    /// Tensor shape for inputs and outputs.
    public let shape: [Int]?
    /// For the plan buffer: the values to upload.
    public let contents: [Int32]?
    public let summary: String

    /// The GLSL name of the array in the buffer block, e.g. `q_data`.
    public var arrayName: String { name + "_data" }
    public var readOnly: Bool { role == .input || role == .plan }
    /// A 16-bit output: its shaders set halves of words with atomics, so it is read-write.
    public var setsHalves: Bool { role == .output && elementType != "float32" }

    /// The same binding holding `contents`.
    public func with(contents: [Int32]) -> GLSLBufferBinding {
        GLSLBufferBinding(
            binding: binding, name: name, role: role, elementType: elementType, glslType: glslType, count: count, byteCount: byteCount,
            shape: shape, contents: contents, summary: summary)
    }
}

/// A push-constant value.
public enum GLSLPushValue: Hashable, Sendable {
    case int(Int)
    case float(Float)
}

/// One member of the push-constant block (`std430`: every member is 4 bytes, in order).
public struct GLSLPushConstant: Hashable, Sendable {
    public let offset: Int
    /// `int` or `float`.
    public let type: String
    public let name: String
    public let value: GLSLPushValue
    public let comment: String
}

/// One shader of the program, in dispatch order: one compute pipeline.
public struct GLSLShader: Hashable, Sendable {
    /// The kernel's name in the IR, e.g. `attention_flash`, `merge_partials` (entry point `main`).
    public let name: String
    /// The full `.comp` file: header comment, then `programText`.
    public let source: String
    /// The compiled text, which depends only on the configuration.
    public let programText: String
    /// `local_size_x` (y and z are 1).
    public let localSize: Int
    /// Work-groups the shader needs (the plan's count, e.g. batch * heads * queryTiles).
    public let workgroups: Int
    /// `vkCmdDispatch(x, y, z)`: the work-groups folded into x <= 65535 (Vulkan's guaranteed
    /// `maxComputeWorkGroupCount`) times y; groups past `workgroups` return at once.
    public let groupCount: [Int]
    /// How `workgroups` follows from the problem.
    public let workgroupFormula: String
    /// The bindings this shader declares.
    public let bindings: [Int]
    public let specializationConstants: [MaskParameter]
    /// Static shared memory of one work-group.
    public let sharedMemoryBytes: Int
    /// Worst-case loop iterations of one invocation once the `[[unroll]]` loops are unrolled:
    /// every remaining loop's header tests, summed (an upper bound of the back-edges a driver
    /// such as lavapipe counts against its 65,535-iteration cap).
    public let loopIterations: Int
}
