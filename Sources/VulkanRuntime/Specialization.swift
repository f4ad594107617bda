/// The value of one specialization constant (`layout(constant_id = N) const ...`). Every kind
/// is 32 bits wide, as GLSL's `uint`, `int`, `float` and `bool` constants are.
public enum SpecializationValue: Sendable, Hashable, CustomStringConvertible {
    case uint32(UInt32)
    case int32(Int32)
    case float(Float)
    case bool(Bool)

    /// The 32-bit pattern handed to the driver.
    public var bits: UInt32 {
        switch self {
        case .uint32(let value): value
        case .int32(let value): UInt32(bitPattern: value)
        case .float(let value): value.bitPattern
        case .bool(let value): value ? 1 : 0
        }
    }

    var kind: UInt8 {
        switch self {
        case .uint32: 0
        case .int32: 1
        case .float: 2
        case .bool: 3
        }
    }

    public var description: String {
        switch self {
        case .uint32(let value): "\(value)u"
        case .int32(let value): "\(value)"
        case .float(let value): "\(value)f"
        case .bool(let value): "\(value)"
        }
    }
}

extension SpecializationValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral {
    /// An integer literal is a `uint` constant (the common case: sizes and counts).
    public init(integerLiteral value: UInt32) { self = .uint32(value) }
    public init(floatLiteral value: Float) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// Push-constant bytes built field by field, in declaration order (std430-like: each field is
/// aligned to its own size, which is right for the scalar uint/int/float fields AttentionGen uses).
public struct VulkanPushConstants: Sendable, Hashable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func append<T: VulkanScalar>(_ value: T) {
        let alignment = MemoryLayout<T>.alignment
        while bytes.count % alignment != 0 { bytes.append(0) }
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    /// The bytes padded to a multiple of 4, as vkCmdPushConstants requires.
    public var paddedBytes: [UInt8] {
        bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
    }
}
