import AttentionSpec
import AttentionTensors

/// The one entry point for running attention: validates inputs, then hands them to a backend.
///
/// ```swift
/// let runtime = AttentionRuntime(backend: ReferenceBackend())
/// let result = try runtime.attention(spec, q: q, k: k, v: v)
/// ```
public struct AttentionRuntime: Sendable {
    public let backend: any AttentionBackend

    public init(backend: any AttentionBackend) {
        self.backend = backend
    }

    /// Backends selectable by name.
    public static let backendNames = ["cpu", "reference", "opencl", "vulkan"]

    /// A runtime on the named backend; an unknown name is a typed error.
    public init(backendNamed name: String) throws(AttentionError) {
        switch name {
        case "reference": self.init(backend: ReferenceBackend())
        case "cpu": self.init(backend: CPUBackend())
        case "opencl": self.init(backend: try OpenCLBackend())
        case "vulkan": self.init(backend: try VulkanBackend())
        default: throw .unknownBackend(name: name, known: Self.backendNames)
        }
    }

    public func attention(_ spec: AttentionSpec, q: Tensor, k: Tensor, v: Tensor) throws(AttentionError) -> AttentionResult {
        try backend.run(AttentionInputs(spec: spec, q: q, k: k, v: v))
    }

    /// The async entry point: runs off the caller's executor.
    public func attention(_ spec: AttentionSpec, q: Tensor, k: Tensor, v: Tensor) async throws -> AttentionResult {
        try await Task.detached { [self] in try attention(spec, q: q, k: k, v: v) }.value
    }
}
