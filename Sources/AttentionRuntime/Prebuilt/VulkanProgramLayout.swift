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
        spec = source.spec
        strategy = source.configuration.strategy.compact
        buffers = source.buffers.map {
            Buffer(binding: $0.binding, name: $0.name, role: $0.role.rawValue, elementType: $0.elementType, byteCount: $0.byteCount,
                   contents: $0.contents ?? ($0.role == .plan ? source.planWords : nil))
        }
        pushConstants = source.pushConstants.map {
            switch $0.value {
            case .int(let value): .int(value)
            case .float(let value): .float(value)
            }
        }
        var shaders: [Shader] = []
        for shader in source.shaders {
            shaders.append(Shader(
                name: shader.name, spirv: try SPIRVCache.spirv(for: shader.programText, name: shader.name),
                groupCount: shader.groupCount, localSize: shader.localSize, sharedMemoryBytes: shader.sharedMemoryBytes,
                loopIterations: shader.loopIterations))
        }
        self.shaders = shaders
        shaderTexts = source.shaders.map(\.programText)
    }

    init(spec: AttentionSpec, buffers: [Buffer], pushConstants: [PushValue], shaders: [Shader]) {
        self.spec = spec
        self.buffers = buffers
        self.pushConstants = pushConstants
        self.shaders = shaders
    }
}
