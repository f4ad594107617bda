/// One matrix multiply-add D = A·B + C that a device's cooperative matrices run: A is m×k, B is
/// k×n, C and the result are m×n (VkCooperativeMatrixPropertiesKHR / ...NV).
public struct VulkanCooperativeMatrixShape: Sendable, Hashable, CustomStringConvertible {
    /// Which extension reported the shape: the two have different SPIR-V and GLSL.
    public enum API: String, Sendable, Hashable {
        case khr = "KHR", nv = "NV"

        public var extensionName: String { "VK_\(rawValue)_cooperative_matrix" }
    }

    public let api: API
    public let m: Int
    public let n: Int
    public let k: Int
    public let a: VulkanComponentType
    public let b: VulkanComponentType
    public let c: VulkanComponentType
    public let result: VulkanComponentType
    public let scope: VulkanScope
    /// The accumulation saturates (integer types; KHR only, always false for NV).
    public let saturatingAccumulation: Bool

    public init(api: API, m: Int, n: Int, k: Int, a: VulkanComponentType, b: VulkanComponentType,
                c: VulkanComponentType, result: VulkanComponentType, scope: VulkanScope,
                saturatingAccumulation: Bool = false) {
        self.api = api
        self.m = m
        self.n = n
        self.k = k
        self.a = a
        self.b = b
        self.c = c
        self.result = result
        self.scope = scope
        self.saturatingAccumulation = saturatingAccumulation
    }

    /// The driver's raw fields, decoded (sizes and enum values exactly as the structure holds them).
    public init(api: API, m: UInt32, n: UInt32, k: UInt32, a: UInt32, b: UInt32, c: UInt32, result: UInt32,
                scope: UInt32, saturatingAccumulation: UInt32 = 0) {
        self.init(api: api, m: Int(m), n: Int(n), k: Int(k), a: VulkanComponentType(rawValue: a),
                  b: VulkanComponentType(rawValue: b), c: VulkanComponentType(rawValue: c),
                  result: VulkanComponentType(rawValue: result), scope: VulkanScope(rawValue: scope),
                  saturatingAccumulation: saturatingAccumulation != 0)
    }

    /// "16x16x16 f16*f16+f32->f32", with " saturating" where it applies.
    public var operation: String {
        "\(m)x\(n)x\(k) \(a)*\(b)+\(c)->\(result)" + (saturatingAccumulation ? " saturating" : "")
    }

    /// "16x16x16 f16*f16+f32->f32 (subgroup, KHR)".
    public var description: String { "\(operation) (\(scope), \(api.rawValue))" }
}

/// VkComponentTypeKHR (the NV values are the same numbers); unknown values are kept, not dropped.
/// Not RawRepresentable on purpose: its rawValue-based `==` would equate `.other(0)` with
/// `.float16`; `init(rawValue:)` never makes `.other` of a known value.
public enum VulkanComponentType: Sendable, Hashable, CustomStringConvertible {
    case float16, float32, float64
    case sint8, sint16, sint32, sint64
    case uint8, uint16, uint32, uint64
    /// VK_KHR_shader_bfloat16.
    case bfloat16
    /// VK_EXT_shader_float8 (VK_NV_cooperative_matrix2 names the same values).
    case float8E4M3, float8E5M2
    case other(UInt32)

    private static let known: [VulkanComponentType] = [
        .float16, .float32, .float64, .sint8, .sint16, .sint32, .sint64, .uint8, .uint16, .uint32, .uint64,
        .bfloat16, .float8E4M3, .float8E5M2,
    ]

    public init(rawValue: UInt32) {
        self = Self.known.first { $0.rawValue == rawValue } ?? .other(rawValue)
    }

    public var rawValue: UInt32 {
        switch self {
        case .float16: 0
        case .float32: 1
        case .float64: 2
        case .sint8: 3
        case .sint16: 4
        case .sint32: 5
        case .sint64: 6
        case .uint8: 7
        case .uint16: 8
        case .uint32: 9
        case .uint64: 10
        case .bfloat16: 1_000_141_000
        case .float8E4M3: 1_000_491_002
        case .float8E5M2: 1_000_491_003
        case .other(let raw): raw
        }
    }

    /// Short names: "f16", "bf16", "s8", ...; an unknown value as "type(N)".
    public var description: String {
        switch self {
        case .float16: "f16"
        case .float32: "f32"
        case .float64: "f64"
        case .sint8: "s8"
        case .sint16: "s16"
        case .sint32: "s32"
        case .sint64: "s64"
        case .uint8: "u8"
        case .uint16: "u16"
        case .uint32: "u32"
        case .uint64: "u64"
        case .bfloat16: "bf16"
        case .float8E4M3: "e4m3"
        case .float8E5M2: "e5m2"
        case .other(let raw): "type(\(raw))"
        }
    }
}

/// VkScopeKHR / VkScopeNV: which invocations share one cooperative matrix (not RawRepresentable,
/// as VulkanComponentType is not).
public enum VulkanScope: Sendable, Hashable, CustomStringConvertible {
    case device, workgroup, subgroup, queueFamily
    case other(UInt32)

    public init(rawValue: UInt32) {
        switch rawValue {
        case 1: self = .device
        case 2: self = .workgroup
        case 3: self = .subgroup
        case 5: self = .queueFamily
        default: self = .other(rawValue)
        }
    }

    public var rawValue: UInt32 {
        switch self {
        case .device: 1
        case .workgroup: 2
        case .subgroup: 3
        case .queueFamily: 5
        case .other(let raw): raw
        }
    }

    public var description: String {
        switch self {
        case .device: "device"
        case .workgroup: "workgroup"
        case .subgroup: "subgroup"
        case .queueFamily: "queue family"
        case .other(let raw): "scope(\(raw))"
        }
    }
}
