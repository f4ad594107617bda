import CVulkan

/// Vulkan structures linked through their `pNext`, copied to the heap so their addresses stay
/// put while the driver fills or reads them (no nesting of `withUnsafeMutablePointer` per
/// structure). Each `add` puts the structure in front; `head` is what a `pNext` points to.
final class StructureChain {
    struct Link<Structure> { fileprivate let address: UnsafeMutableRawPointer }

    private(set) var head: UnsafeMutableRawPointer?
    private var blocks: [UnsafeMutableRawPointer] = []
    /// Every Vulkan structure starts with sType and pNext, as VkBaseOutStructure does.
    private static let pNextOffset = MemoryLayout<VkBaseOutStructure>.offset(of: \.pNext)!

    /// Links `structure` in front as a `type`; its own sType and pNext are overwritten.
    @discardableResult
    func add<Structure: BitwiseCopyable>(_ structure: Structure, _ type: VkStructureType) -> Link<Structure> {
        let address = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<Structure>.size,
                                                       alignment: MemoryLayout<Structure>.alignment)
        address.initializeMemory(as: Structure.self, to: structure)
        address.storeBytes(of: type, as: VkStructureType.self)
        address.storeBytes(of: head, toByteOffset: Self.pNextOffset, as: UnsafeMutableRawPointer?.self)
        head = address
        blocks.append(address)
        return Link(address: address)
    }

    /// The structure as the driver left it.
    subscript<Structure>(link: Link<Structure>) -> Structure { link.address.load(as: Structure.self) }

    deinit { blocks.forEach { $0.deallocate() } }
}
