import AttentionTensors

/// The tensor-core part of a `KernelStrategy`: S = Q·Kᵀ and O += P·V run as subgroup-wide
/// matrix products on `m × n × k` fragments with 16-bit operands and float32 accumulators, as
/// FlashAttention-2 does with `mma.sync` and llama.cpp's `flash_attn_cm1` with Vulkan cooperative
/// matrices. The work-group is `subgroups` subgroups of `lanes` invocations; subgroup `g` owns the
/// fragments `g, g + subgroups, …` of S (`tileRows/m × blockKeys/n` of them) and of O
/// (`tileRows/m × valueDim/n`, the value dim padded to `n`). S goes through shared memory to the
/// softmax, which runs on the strategy's SIMT micro-tiles; P is rounded to the operand type for
/// the second product; O lives in shared memory, where the softmax rescales its rows.
///
/// `form` says how the fragments are written: GLSL's `GL_NV_cooperative_matrix` or
/// `GL_KHR_cooperative_matrix`, or `emulated` — the same fragments, loads, stores and products
/// written as plain loops over shared memory (each lane holds the accumulator elements the lane
/// mapping gives it), which runs on any device and so tests the real forms' indexing where no
/// device has cooperative matrices (lavapipe).
public struct CooperativeMatrixStrategy: Hashable, Sendable, CustomStringConvertible {
    public enum Form: String, Hashable, Sendable, CaseIterable {
        /// `GL_NV_cooperative_matrix` (SPV_NV_cooperative_matrix): glslang 12 compiles it; NVIDIA
        /// drivers expose it as `VK_NV_cooperative_matrix`.
        case nv
        /// `GL_KHR_cooperative_matrix` (SPV_KHR_cooperative_matrix): AMD, Intel and NVIDIA expose
        /// `VK_KHR_cooperative_matrix`; glslang compiles it from 13.0.
        case khr
        /// Plain loops over shared memory with the same fragments (any device).
        case emulated
    }

    public let form: Form
    /// Fragment rows (of S and O) and columns (keys of S, value columns of O).
    public let m: Int
    public let n: Int
    /// Fragment depth: head-dim elements of S's product, keys of O's.
    public let k: Int
    public let subgroups: Int
    /// Invocations per subgroup (the device's subgroup size; emulated: any).
    public let lanes: Int
    /// The operand type of both products (the storage type: float16 or bfloat16); accumulators
    /// are float32.
    public let operand: ElementType

    public init(form: Form, m: Int, n: Int, k: Int, subgroups: Int, lanes: Int, operand: ElementType) {
        self.form = form
        self.m = m
        self.n = n
        self.k = k
        self.subgroups = subgroups
        self.lanes = lanes
        self.operand = operand
    }

    public var workgroupSize: Int { subgroups * lanes }

    /// Bytes of one operand element in shared memory: 16-bit for the real forms; the emulated
    /// form keeps the rounded values as floats (no 16-bit arithmetic needed).
    public var operandBytes: Int { form == .emulated ? 4 : 2 }

    /// Accumulator elements each lane holds in the emulated form.
    public var laneElements: Int { m * n / lanes }

    /// Rounds `n` up to a multiple of `multiple`.
    static func padded(_ n: Int, to multiple: Int) -> Int { (n + multiple - 1) / multiple * multiple }

    /// The head dim as the fragments see it (zero-padded to `k`), and the value dim (to `n`).
    public func paddedHeadDim(_ facts: KernelFacts) -> Int { Self.padded(facts.headDim, to: k) }
    public func paddedValueDim(_ facts: KernelFacts) -> Int { Self.padded(facts.valueDim, to: n) }

    /// Row strides of the shared arrays, in elements: each padded by 16 bytes (bank spread), and
    /// a multiple of 16 bytes, as cooperative-matrix loads and stores want.
    public func operandStride(_ columns: Int) -> Int { columns + 8 }
    public func accumulatorStride(_ columns: Int) -> Int { columns + 4 }

    /// The compact token: `coop:FORM:MxNxK:SUBGROUPSxLANES:OPERAND`, e.g. `coop:nv:16x16x16:4x32:f16`.
    public var compact: String {
        "coop:\(form.rawValue):\(m)x\(n)x\(k):\(subgroups)x\(lanes):\(operand == .bfloat16 ? "bf16" : "f16")"
    }

    /// Parses the compact token; nil when it is malformed.
    public init?(compact text: String) {
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 5, parts[0] == "coop", let form = Form(rawValue: parts[1]) else { return nil }
        let shape = parts[2].split(separator: "x").compactMap { Int($0) }
        let group = parts[3].split(separator: "x").compactMap { Int($0) }
        let operand: ElementType? = ["f16": .float16, "bf16": .bfloat16][parts[4]]
        guard shape.count == 3, group.count == 2, (shape + group).allSatisfy({ $0 >= 1 }), let operand else { return nil }
        self.init(form: form, m: shape[0], n: shape[1], k: shape[2], subgroups: group[0], lanes: group[1], operand: operand)
    }

    public var description: String {
        "\(form == .emulated ? "emulated " : "")cooperative matrices (\(form.rawValue)) \(m)x\(n)x\(k), "
            + "\(subgroups) subgroups of \(lanes), \(operand.rawValue) operands, float32 accumulators"
    }
}

/// A fragment shape a device multiplies in hardware (`vkGetPhysicalDeviceCooperativeMatrixProperties…`):
/// `A (m×k) · B (k×n) + C (m×n)` with subgroup scope.
public struct CooperativeMatrixShape: Hashable, Sendable {
    public let m: Int
    public let n: Int
    public let k: Int
    /// The A and B operand type.
    public let operand: ElementType
    /// Whether C and the result are float32 (the only accumulator the kernels use).
    public let float32Accumulator: Bool

    public init(m: Int, n: Int, k: Int, operand: ElementType, float32Accumulator: Bool) {
        self.m = m
        self.n = n
        self.k = k
        self.operand = operand
        self.float32Accumulator = float32Accumulator
    }
}

/// What a device offers for cooperative matrices, as far as the kernels can use it.
public struct CooperativeMatrixSupport: Hashable, Sendable {
    /// The GLSL form its driver takes (`.nv` or `.khr`).
    public let form: CooperativeMatrixStrategy.Form
    public let shapes: [CooperativeMatrixShape]
    /// The device's subgroup size (every cooperative-matrix operation is subgroup-wide).
    public let subgroupSize: Int
    /// Why the kernels cannot use it here, when they cannot (the compiler lacks the form, the
    /// device lacks 16-bit arithmetic): the picker then says so and uses SIMT.
    public let unusable: String?

    public init(form: CooperativeMatrixStrategy.Form, shapes: [CooperativeMatrixShape], subgroupSize: Int, unusable: String? = nil) {
        self.form = form
        self.shapes = shapes
        self.subgroupSize = subgroupSize
        self.unusable = unusable
    }
}
