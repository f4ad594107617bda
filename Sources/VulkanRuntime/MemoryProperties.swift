import CVulkan

/// `VkMemoryPropertyFlags` as a typed option set (Swift sees the C bits as a UInt32 typedef).
struct MemoryPropertyFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    let rawValue: UInt32

    static let deviceLocal = MemoryPropertyFlags(rawValue: VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT.rawValue)
    static let hostVisible = MemoryPropertyFlags(rawValue: VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT.rawValue)
    static let hostCoherent = MemoryPropertyFlags(rawValue: VK_MEMORY_PROPERTY_HOST_COHERENT_BIT.rawValue)
    static let hostCached = MemoryPropertyFlags(rawValue: VK_MEMORY_PROPERTY_HOST_CACHED_BIT.rawValue)

    var description: String {
        let names: [(MemoryPropertyFlags, String)] = [
            (.deviceLocal, "DEVICE_LOCAL"), (.hostVisible, "HOST_VISIBLE"), (.hostCoherent, "HOST_COHERENT"),
            (.hostCached, "HOST_CACHED"),
        ]
        let set = names.filter { contains($0.0) }.map { "VK_MEMORY_PROPERTY_\($0.1)_BIT" }
        return set.isEmpty ? "none" : set.joined(separator: " | ")
    }
}

/// The memory types and heaps of a device, and the one rule for choosing among them.
struct MemoryTypes: Sendable {
    struct Entry: Sendable { let flags: MemoryPropertyFlags; let heapIndex: Int }
    let types: [Entry]
    let heapSizes: [Int]

    init(_ device: VkPhysicalDevice) {
        var memory = VkPhysicalDeviceMemoryProperties()
        vkGetPhysicalDeviceMemoryProperties(device, &memory)
        types = tupleArray(memory.memoryTypes, of: VkMemoryType.self, count: Int(memory.memoryTypeCount))
            .map { Entry(flags: MemoryPropertyFlags(rawValue: $0.propertyFlags), heapIndex: Int($0.heapIndex)) }
        heapSizes = tupleArray(memory.memoryHeaps, of: VkMemoryHeap.self, count: Int(memory.memoryHeapCount))
            .map { Int(clamping: $0.size) }
    }

    /// The first allowed type (`typeBits` from VkMemoryRequirements) with all of `required`,
    /// preferring one that also has `preferred`.
    func index(typeBits: UInt32, required: MemoryPropertyFlags, preferred: MemoryPropertyFlags = []) -> Int? {
        let allowed = types.indices.filter { typeBits & (1 << UInt32($0)) != 0 && types[$0].flags.contains(required) }
        return allowed.first { types[$0].flags.contains(preferred) } ?? allowed.first
    }
}
