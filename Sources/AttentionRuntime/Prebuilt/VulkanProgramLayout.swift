import AttentionSpec
import GLSLEmitter
import SPIRVCompiler

/// Everything a Vulkan run needs, independent of where it came from: generated and compiled
/// now (`init(source:)`), or read from a kernel package built ahead of time (no generator, no
/// glslang at run time).
public struct VulkanProgramLayout: Sendable {
    public struct Buffer: Sendable {
        public let binding: Int
        public let name: String
        /// `input`, `output`, `plan` or `scratch` (`GLSLBufferRole` raw values).
        public let role: String
        public let elementType: String
        public let byteCount: Int
        /// Initial words (the plan tables).
        public let contents: [Int32]?
    }

    public struct Shader: Sendable {
        public let name: String
        public let spirv: [UInt32]
        public let groupCount: [Int]
        public let localSize: Int
        public let sharedMemoryBytes: Int
        public let loopIterations: Int
    }

    public enum PushValue: Sendable {
        case int(Int)
        case float(Float)
    }

    public let spec: AttentionSpec
    /// The kernel strategy's compact form (`KernelStrategy.compact`), as the manifest records it.
    public var strategy: String = ""
    public let buffers: [Buffer]
    public let pushConstants: [PushValue]
    public let shaders: [Shader]
    /// The GLSL each generated shader was compiled from (empty for a package's SPIR-V).
    public var shaderTexts: [String] = []

    /// Compiles the generated shaders with glslang, in process (once per shader text: `SPIRVCache`).
    public init(source: GLSLKernelSource) throws(SPIRVCompileError) {
        try self.init(
            spec: source.spec, strategy: source.configuration.strategy.compact,
            buffers: source.buffers.map { $0.contents != nil || $0.role != .plan ? $0 : $0.with(contents: source.planWords) },
            pushConstants: source.pushConstants, shaders: source.shaders)
    }

    /// The backward program of a spec (`GLSLGradientSource`), compiled like the forward's.
    public init(gradients source: GLSLGradientSource) throws(SPIRVCompileError) {
        try self.init(
            spec: source.spec, strategy: "backward", buffers: source.buffers, pushConstants: source.pushConstants, shaders: source.shaders)
    }

    private init(
        spec: AttentionSpec, strategy: String, buffers: [GLSLBufferBinding], pushConstants: [GLSLPushConstant], shaders: [GLSLShader]
    ) throws(SPIRVCompileError) {
        self.spec = spec
        self.strategy = strategy
        self.buffers = buffers.map {
            Buffer(binding: $0.binding, name: $0.name, role: $0.role.rawValue, elementType: $0.elementType, byteCount: $0.byteCount,
                   contents: $0.contents)
        }
        self.pushConstants = pushConstants.map {
            switch $0.value {
            case .int(let value): .int(value)
            case .float(let value): .float(value)
            }
        }
        var compiled: [Shader] = []
        for shader in shaders {
            compiled.append(Shader(
                name: shader.name, spirv: try SPIRVCache.spirv(for: shader.programText, name: shader.name),
                groupCount: shader.groupCount, localSize: shader.localSize, sharedMemoryBytes: shader.sharedMemoryBytes,
                loopIterations: shader.loopIterations))
        }
        self.shaders = compiled
        shaderTexts = shaders.map(\.programText)
    }

    init(spec: AttentionSpec, buffers: [Buffer], pushConstants: [PushValue], shaders: [Shader]) {
        self.spec = spec
        self.buffers = buffers
        self.pushConstants = pushConstants
        self.shaders = shaders
    }
}
