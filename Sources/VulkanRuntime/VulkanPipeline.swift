import CVulkan

/// A compute pipeline: N storage buffers at set 0, bindings 0..N-1, and K bytes of push
/// constants, with its specialization baked in. Keeps its device alive.
public final class VulkanPipeline: @unchecked Sendable {
    public var device: VulkanDeviceInfo { handles.info }
    public let entryPoint: String
    public let storageBuffers: Int
    public let pushConstantBytes: Int
    public let specialization: [UInt32: SpecializationValue]
    /// The local size read from the SPIR-V with specialization applied (nil if unreadable).
    public let localSize: [Int]?
    /// Bytes of `shared` variables, tightly packed (nil if a size could not be evaluated).
    public let sharedMemoryBytes: Int?
    /// FNV-1a of the SPIR-V words.
    public let spirvHash: UInt64
    /// Wall seconds vkCreateComputePipelines took (the driver's compile; lavapipe JITs later, at first dispatch).
    public let creationSeconds: Double

    let pipeline: VkPipeline
    let layout: VkPipelineLayout
    let setLayout: VkDescriptorSetLayout
    let handles: DeviceHandles

    init(handles: DeviceHandles, pipeline: VkPipeline, layout: VkPipelineLayout, setLayout: VkDescriptorSetLayout,
         key: PipelineKey, localSize: [Int]?, sharedMemoryBytes: Int?, creationSeconds: Double) {
        self.handles = handles
        self.pipeline = pipeline
        self.layout = layout
        self.setLayout = setLayout
        entryPoint = key.entryPoint
        storageBuffers = key.storageBuffers
        pushConstantBytes = key.pushConstantBytes
        specialization = key.specialization
        spirvHash = key.hash
        self.localSize = localSize
        self.sharedMemoryBytes = sharedMemoryBytes
        self.creationSeconds = creationSeconds
    }

    deinit {
        vkDestroyPipeline(handles.device, pipeline, nil)
        vkDestroyPipelineLayout(handles.device, layout, nil)
        vkDestroyDescriptorSetLayout(handles.device, setLayout, nil)
    }
}

/// Identity of a pipeline within one context (the device is the context's): SPIR-V (hash for
/// hashing, full words for equality), entry point, interface shape and specialization.
struct PipelineKey: Hashable, Sendable {
    let hash: UInt64
    let words: [UInt32]
    let entryPoint: String
    let storageBuffers: Int
    let pushConstantBytes: Int
    let specialization: [UInt32: SpecializationValue]

    static func == (a: PipelineKey, b: PipelineKey) -> Bool {
        a.hash == b.hash && a.entryPoint == b.entryPoint && a.storageBuffers == b.storageBuffers
            && a.pushConstantBytes == b.pushConstantBytes && a.specialization == b.specialization && a.words == b.words
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
        hasher.combine(entryPoint)
        hasher.combine(storageBuffers)
        hasher.combine(pushConstantBytes)
        hasher.combine(specialization)
    }

    /// "id=value" pairs in id order (for messages).
    var specializationText: String {
        specialization.isEmpty ? "none"
            : specialization.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}
