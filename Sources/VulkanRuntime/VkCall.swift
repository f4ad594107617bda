import CVulkan

/// Turns a `VkResult` into the typed error: the one place that maps raw results to cases.
@inline(__always)
func vkCheck(_ result: VkResult, _ call: String, _ context: @autoclosure () -> String) throws(VulkanError) {
    guard result.rawValue < 0 else { return }  // VK_SUCCESS and the positive statuses are not failures
    throw VulkanError.from(result: VulkanResult(result), call: call, context: context())
}

extension VulkanError {
    static func from(result: VulkanResult, call: String, context: String) -> VulkanError {
        switch result {
        case .deviceLost: .deviceLost(context: "\(call): \(context)")
        default: .call(name: call, result: result, context: context)
        }
    }
}

/// A fixed-size C `char` array (a Swift tuple) as a String, up to its first NUL.
func cString<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        let bytes = raw.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A homogeneous tuple of `count` `E`s as an array (e.g. maxComputeWorkGroupSize).
func tupleArray<T, E: BitwiseCopyable>(_ tuple: T, of type: E.Type, count: Int) -> [E] {
    withUnsafeBytes(of: tuple) { raw in (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<E>.stride, as: E.self) } }
}

/// `VkBool32` from a Swift Bool and back.
extension Bool {
    var vk: VkBool32 { self ? 1 : 0 }
    init(vk value: VkBool32) { self = value != 0 }
}

/// Packed Vulkan versions (VK_MAKE_API_VERSION is a function-like macro Swift does not import).
public struct VulkanVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let raw: UInt32

    public init(raw: UInt32) { self.raw = raw }
    public init(_ major: UInt32, _ minor: UInt32, _ patch: UInt32 = 0) {
        raw = (major << 22) | (minor << 12) | patch
    }

    public var major: Int { Int((raw >> 22) & 0x7f) }
    public var minor: Int { Int((raw >> 12) & 0x3ff) }
    public var patch: Int { Int(raw & 0xfff) }

    public static func < (a: VulkanVersion, b: VulkanVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    public static let v1_1 = VulkanVersion(1, 1)
    public static let v1_2 = VulkanVersion(1, 2)
    public static let v1_3 = VulkanVersion(1, 3)
}
