/// Where a prepared run's kernels came from.
public enum KernelOrigin: Sendable, Hashable {
    /// Generated for this device now (and, for Vulkan, compiled by glslang).
    case generated
    /// Read from the named prebuilt kernel package.
    case package(String)
}
