import Foundation

/// Where the driver's pipeline cache (VkPipelineCache data) is kept between runs.
public enum VulkanPipelineCacheLocation: Sendable, Hashable {
    case disabled
    /// A folder of your choosing (tests use a temporary one).
    case directory(String)

    /// `$XDG_CACHE_HOME/attentiongen/vulkan`, else `~/.cache/attentiongen/vulkan`.
    public static var userDefault: VulkanPipelineCacheLocation {
        let environment = ProcessInfo.processInfo.environment
        let base: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { base = xdg }  // spec: relative is invalid
        else { base = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache" }
        return .directory(base + "/attentiongen/vulkan")
    }

    /// A fresh, empty folder under the system's temporary directory.
    public static func temporary() -> VulkanPipelineCacheLocation {
        .directory(FileManager.default.temporaryDirectory.path + "/attentiongen-vulkan-\(UUID().uuidString)")
    }

    public var path: String? {
        if case .directory(let path) = self { return path }
        return nil
    }
}

/// Counters of the pipeline caches, readable by tests and benchmarks.
public struct VulkanPipelineCacheStatistics: Sendable, Hashable {
    /// `makePipeline` returned an already created pipeline of this context.
    public var hits = 0
    /// `makePipeline` created a pipeline.
    public var misses = 0
    /// The disk file existed and was handed to vkCreatePipelineCache.
    public var diskLoaded = false
    /// Bytes of cache data loaded from disk.
    public var diskBytesLoaded = 0
    /// A disk file existed but was corrupt, truncated or for another device/driver (then ignored).
    public var diskRejected = 0
    /// Times the cache data was written to disk.
    public var diskWrites = 0
}
