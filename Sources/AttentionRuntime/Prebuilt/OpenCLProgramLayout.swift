import AttentionSpec
import OpenCLEmitter

/// Everything an OpenCL run needs, independent of where it came from: generated now
/// (`init(source:)`) or read from a kernel package (no generator at run time; the driver still
/// compiles the OpenCL C, and caches the binary).
public struct OpenCLProgramLayout: Sendable {
    public struct Buffer: Sendable {
        public let name: String
        public let role: OpenCLBufferRole
        public let elementType: OpenCLElementType
        public let byteCount: Int
        /// Initial words (the plan tables).
        public let contents: [Int32]?
    }

    public struct Launch: Sendable {
        public let kernel: String
        public let arguments: [OpenCLArgumentValue]
        public let globalSize: Int
        public let localSize: Int
        public let localMemoryBytes: Int
    }

    public let spec: AttentionSpec
    /// The kernel strategy's compact form (`KernelStrategy.compact`), as the manifest records it.
    public var strategy: String = ""
    /// The OpenCL C the device compiles.
    public let programText: String
    public let buffers: [Buffer]
    public let launches: [Launch]

    public init(source: OpenCLKernelSource) {
        self.init(
            spec: source.spec, strategy: source.configuration.strategy.compact, programText: source.programText,
            buffers: source.buffers, launches: source.launches)
    }

    /// The backward program of a spec (`OpenCLGradientSource`).
    public init(gradients source: OpenCLGradientSource) {
        self.init(spec: source.spec, strategy: "backward", programText: source.programText, buffers: source.buffers, launches: source.launches)
    }

    private init(
        spec: AttentionSpec, strategy: String, programText: String, buffers: [OpenCLBufferSpecification], launches: [OpenCLKernelLaunch]
    ) {
        self.spec = spec
        self.strategy = strategy
        self.programText = programText
        self.buffers = buffers.map {
            Buffer(name: $0.name, role: $0.role, elementType: $0.elementType, byteCount: $0.byteCount, contents: $0.contents)
        }
        self.launches = launches.map {
            Launch(kernel: $0.kernel, arguments: $0.arguments.map(\.value), globalSize: $0.globalSize, localSize: $0.localSize,
                   localMemoryBytes: $0.localMemoryBytes)
        }
    }

    init(spec: AttentionSpec, programText: String, buffers: [Buffer], launches: [Launch]) {
        self.spec = spec
        self.programText = programText
        self.buffers = buffers
        self.launches = launches
    }
}
