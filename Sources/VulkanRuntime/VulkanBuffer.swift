import CVulkan
import Foundation

/// Element types that buffers hold: `Float`, `UInt16` (fp16/bf16 bits), `Int32`, `UInt32`, `UInt8`.
public protocol VulkanScalar: BitwiseCopyable, Sendable {}
extension Float: VulkanScalar {}
extension UInt16: VulkanScalar {}
extension Int32: VulkanScalar {}
extension UInt32: VulkanScalar {}
extension UInt8: VulkanScalar {}

/// A storage buffer in host-visible, host-coherent memory, mapped for its whole life: `upload`
/// and `read` are plain copies. Every dispatch ends with a shader-write → host-read barrier and
/// a fence wait, so results are visible to `read` when `dispatch` returns. Host access while a
/// dispatch that uses the buffer is running is the caller's race, as with any mapped memory.
public final class VulkanBuffer: @unchecked Sendable {
    public var device: VulkanDeviceInfo { handles.info }
    /// The size asked for (the allocation may be larger).
    public let byteCount: Int
    let buffer: VkBuffer
    let memory: VkDeviceMemory
    let mapped: UnsafeMutableRawPointer
    let handles: DeviceHandles

    init(handles: DeviceHandles, byteCount: Int) throws(VulkanError) {
        let info = handles.info
        guard byteCount > 0 else { throw .invalidDispatch(reason: "a buffer must hold at least one byte (asked for \(byteCount))") }
        guard byteCount <= info.maxStorageBufferRange else {
            throw .bufferTooLarge(bytes: byteCount, maximum: info.maxStorageBufferRange, device: info.name)
        }
        let device = handles.device
        var create = VkBufferCreateInfo()
        create.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO
        create.size = VkDeviceSize(byteCount)
        create.usage = VkBufferUsageFlags(VK_BUFFER_USAGE_STORAGE_BUFFER_BIT.rawValue | VK_BUFFER_USAGE_TRANSFER_SRC_BIT.rawValue
                                          | VK_BUFFER_USAGE_TRANSFER_DST_BIT.rawValue)
        create.sharingMode = VK_SHARING_MODE_EXCLUSIVE
        var buffer: VkBuffer?
        try vkCheck(vkCreateBuffer(device, &create, nil, &buffer), "vkCreateBuffer", "\(byteCount) bytes on \(info.name)")
        guard let buffer else { throw .call(name: "vkCreateBuffer", result: .success, context: "returned no buffer") }

        var requirements = VkMemoryRequirements()
        vkGetBufferMemoryRequirements(device, buffer, &requirements)
        let required: MemoryPropertyFlags = [.hostVisible, .hostCoherent]
        guard let typeIndex = handles.memoryTypes.index(typeBits: requirements.memoryTypeBits, required: required,
                                                        preferred: .hostCached) else {
            vkDestroyBuffer(device, buffer, nil)
            throw .noSuitableMemoryType(required: required.description, device: info.name)
        }
        let size = Int(clamping: requirements.size)
        let heap = handles.memoryTypes.heapSizes[handles.memoryTypes.types[typeIndex].heapIndex]
        guard size <= info.maxMemoryAllocationSize, size <= heap else {
            vkDestroyBuffer(device, buffer, nil)
            throw .outOfDeviceMemory(bytes: byteCount, device: info.name)
        }
        var allocate = VkMemoryAllocateInfo()
        allocate.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO
        allocate.allocationSize = requirements.size
        allocate.memoryTypeIndex = UInt32(typeIndex)
        var memory: VkDeviceMemory?
        let allocated = vkAllocateMemory(device, &allocate, nil, &memory)
        guard allocated == VK_SUCCESS, let memory else {
            vkDestroyBuffer(device, buffer, nil)
            if allocated == VK_ERROR_OUT_OF_DEVICE_MEMORY || allocated == VK_ERROR_OUT_OF_HOST_MEMORY {
                throw .outOfDeviceMemory(bytes: byteCount, device: info.name)
            }
            throw VulkanError.from(result: VulkanResult(allocated), call: "vkAllocateMemory", context: "\(size) bytes on \(info.name)")
        }
        var mapped: UnsafeMutableRawPointer?
        var result = vkBindBufferMemory(device, buffer, memory, 0)
        if result == VK_SUCCESS { result = vkMapMemory(device, memory, 0, UInt64.max, 0, &mapped) }
        guard result == VK_SUCCESS, let mapped else {
            vkDestroyBuffer(device, buffer, nil)
            vkFreeMemory(device, memory, nil)
            throw VulkanError.from(result: VulkanResult(result), call: "vkBindBufferMemory/vkMapMemory",
                                   context: "\(size) bytes on \(info.name)")
        }
        // Drivers do not zero new memory (lavapipe's is not): start from a known state.
        memset(mapped, 0, size)
        self.handles = handles
        self.byteCount = byteCount
        self.buffer = buffer
        self.memory = memory
        self.mapped = mapped
    }

    deinit {
        vkUnmapMemory(handles.device, memory)
        vkDestroyBuffer(handles.device, buffer, nil)
        vkFreeMemory(handles.device, memory, nil)
    }

    /// Copies `values` to the start of the buffer.
    public func upload<T: VulkanScalar>(_ values: [T]) throws(VulkanError) {
        let bytes = values.count * MemoryLayout<T>.stride
        guard bytes <= byteCount else {
            throw .invalidDispatch(reason: "uploading \(bytes) bytes into a buffer of \(byteCount) bytes")
        }
        values.withUnsafeBytes { raw in
            if let base = raw.baseAddress { mapped.copyMemory(from: base, byteCount: bytes) }
        }
    }

    /// Sets every byte to zero.
    public func zero() { memset(mapped, 0, byteCount) }

    /// The whole buffer as `T`s (or its first `count`).
    public func read<T: VulkanScalar>(as type: T.Type = T.self, count: Int? = nil) throws(VulkanError) -> [T] {
        let stride = MemoryLayout<T>.stride
        let available = byteCount / stride
        let n = count ?? available
        guard n >= 0, n <= available else {
            throw .invalidDispatch(reason: "reading \(n) × \(T.self) (\(n * stride) bytes) from a buffer of \(byteCount) bytes")
        }
        return [T](unsafeUninitializedCapacity: n) { destination, initialised in
            if n > 0 { UnsafeMutableRawPointer(destination.baseAddress!).copyMemory(from: mapped, byteCount: n * stride) }
            initialised = n
        }
    }
}

extension VulkanContext {
    /// A zero-filled buffer of `byteCount` bytes.
    public func makeBuffer(byteCount: Int) throws(VulkanError) -> VulkanBuffer {
        try VulkanBuffer(handles: handles, byteCount: byteCount)
    }

    /// A zero-filled buffer of `count` elements of `type`.
    public func makeBuffer<T: VulkanScalar>(count: Int, of type: T.Type) throws(VulkanError) -> VulkanBuffer {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow, count >= 0 else { throw .bufferTooLarge(bytes: Int.max, maximum: device.maxStorageBufferRange, device: device.name) }
        return try makeBuffer(byteCount: bytes)
    }

    /// A buffer holding `values`.
    public func makeBuffer<T: VulkanScalar>(_ values: [T]) throws(VulkanError) -> VulkanBuffer {
        let buffer = try makeBuffer(count: max(values.count, 1), of: T.self)
        try buffer.upload(values)
        return buffer
    }
}
