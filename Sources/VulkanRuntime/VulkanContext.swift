import RuntimeSupport
import CVulkan
import Foundation

/// One device: logical device with one compute queue, a command pool, the in-memory pipeline
/// table and the driver's VkPipelineCache (persisted on disk unless disabled).
/// Thread-safe: queue and command pool use are serialised per context (`DeviceHandles.submission`),
/// pipeline creation under the pipeline-table lock; buffers are plain mapped memory.
public final class VulkanContext: @unchecked Sendable {
    public var device: VulkanDeviceInfo { handles.info }
    public let pipelineCacheLocation: VulkanPipelineCacheLocation
    /// How long a dispatch waits for its fence before throwing `.timeout`.
    public let fenceTimeoutSeconds: Double
    let handles: DeviceHandles
    let driverCache: VkPipelineCache?
    let cacheFile: PipelineCacheFile?
    let pipelines: Locked<PipelineTable>

    struct PipelineTable {
        var pipelines: [PipelineKey: VulkanPipeline] = [:]
        var statistics = VulkanPipelineCacheStatistics()
    }

    /// `pipelineCache`: where VkPipelineCache data persists between runs (`.disabled` for none,
    /// `.temporary()` for a fresh folder). A corrupt or foreign cache file is ignored.
    public init(device: VulkanDeviceInfo, pipelineCache: VulkanPipelineCacheLocation = .userDefault,
                fenceTimeoutSeconds: Double = 120) throws(VulkanError) {
        handles = try DeviceHandles(info: device)
        pipelineCacheLocation = pipelineCache
        self.fenceTimeoutSeconds = fenceTimeoutSeconds
        var statistics = VulkanPipelineCacheStatistics()
        let file = pipelineCache.path.map { PipelineCacheFile(directory: $0, device: device) }
        var initial: [UInt8] = []
        if let file {
            switch file.load() {
            case .missing: break
            case .invalid: statistics.diskRejected += 1
            case .data(let data): initial = data
            }
        }
        var cache = Self.createDriverCache(handles.device, initial: initial)
        if cache == nil, !initial.isEmpty {  // the driver refused the data: start empty
            statistics.diskRejected += 1
            initial = []
            cache = Self.createDriverCache(handles.device, initial: [])
        }
        if !initial.isEmpty {
            statistics.diskLoaded = true
            statistics.diskBytesLoaded = initial.count
        }
        driverCache = cache
        cacheFile = cache == nil ? nil : file
        pipelines = Locked(PipelineTable(statistics: statistics))
    }

    /// Opens the device that `query` selects.
    public convenience init(_ query: VulkanDeviceQuery = .preferred,
                            pipelineCache: VulkanPipelineCacheLocation = .userDefault) throws(VulkanError) {
        try self.init(device: VulkanDevices.select(query), pipelineCache: pipelineCache)
    }

    deinit {
        savePipelineCache()
        if let driverCache { vkDestroyPipelineCache(handles.device, driverCache, nil) }
    }

    public var cacheStatistics: VulkanPipelineCacheStatistics { pipelines.withLock { $0.statistics } }
    public var cacheHits: Int { cacheStatistics.hits }
    public var cacheMisses: Int { cacheStatistics.misses }

    /// Writes the driver's pipeline-cache data to disk now (also done after every new pipeline
    /// and when the context is released). False when disabled or the write failed.
    @discardableResult
    public func savePipelineCache() -> Bool {
        guard let driverCache, let cacheFile else { return false }
        var size = 0
        guard vkGetPipelineCacheData(handles.device, driverCache, &size, nil) == VK_SUCCESS, size > 0 else { return false }
        var data = [UInt8](repeating: 0, count: size)
        let result = data.withUnsafeMutableBytes { vkGetPipelineCacheData(handles.device, driverCache, &size, $0.baseAddress) }
        guard result == VK_SUCCESS else { return false }
        let stored = cacheFile.store(Array(data.prefix(size)))
        if stored { pipelines.withLock { $0.statistics.diskWrites += 1 } }
        return stored
    }

    private static func createDriverCache(_ device: VkDevice, initial: [UInt8]) -> VkPipelineCache? {
        var cache: VkPipelineCache?
        let result = initial.withUnsafeBytes { raw in
            var info = VkPipelineCacheCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO
            info.initialDataSize = raw.count
            info.pInitialData = raw.count > 0 ? raw.baseAddress : nil
            return vkCreatePipelineCache(device, &info, nil, &cache)
        }
        return result == VK_SUCCESS ? cache : nil
    }
}
