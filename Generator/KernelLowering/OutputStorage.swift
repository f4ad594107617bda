import AttentionTensors

/// How the kernels store the output tensor: float32 as computed, or narrowed to float16 or
/// bfloat16 with round-to-nearest-even done in integer arithmetic, so that no device feature is
/// needed (OpenCL C 1.2 without cl_khr_fp16, Vulkan without 16-bit storage). OpenCL stores each
/// element as a `ushort`; GLSL sets the element's half of a 32-bit word with two atomics,
/// because neighbouring columns belong to different invocations. The lse stays float32.
public struct OutputStorage: Hashable, Sendable {
    public let dtype: ElementType
    public let dialect: KernelDialect

    public init(_ dtype: ElementType, dialect: KernelDialect) {
        self.dtype = dtype
        self.dialect = dialect
    }

    public var narrowed: Bool { dtype != .float32 }

    /// The element type of the output buffer as the kernels declare it.
    public var bufferType: String {
        switch (narrowed, dialect.language) {
        case (false, _): "float"
        case (true, .openCL): "ushort"
        case (true, .glsl): "uint"
        }
    }

    /// Stores scalar `value` at element `index` of the output.
    public func store(_ index: String, _ value: String) -> String {
        narrowed ? "store_output(\(dialect.language == .openCL ? "output, " : "")\(dialect.index(index)), \(value));"
            : "\(dialect.buffer("output"))[\(index)] = \(value);"
    }

    /// Stores the `width` lanes of `value` at elements `offset …`.
    public func storeVector(_ width: Int, _ value: String, _ offset: String) -> String {
        guard narrowed else { return dialect.storeVector(width, value, dialect.buffer("output"), offset) }
        guard width > 1 else { return store(offset, value) }
        return "{ const \(dialect.vector(width)) stored = \(value); "
            + (0..<width).map { store("\(offset) + \($0)", dialect.lane("stored", $0, width: width)) }.joined(separator: " ") + " }"
    }

    /// The narrowing and `store_output` helpers (after the buffer declarations in GLSL); nil for float32.
    public var helpers: String? {
        guard narrowed, let narrow = Self.narrowing(dtype, named: "narrow_output", dialect: dialect) else { return nil }
        let openCL = dialect.language == .openCL
        let store = openCL
            ? """
                void store_output(__global ushort* output, size_t index, float value) { output[index] = (ushort)narrow_output(value); }
                """
            : """
                /* Element `index` is the low (even) or high (odd) half of word index / 2; the other half
                   belongs to another invocation, so each half is cleared and set atomically. */
                void store_output(uint index, float value) {
                    const uint shift = (index & 1u) * 16u;
                    atomicAnd(output_data[index >> 1u], ~(0xffffu << shift));
                    atomicOr(output_data[index >> 1u], narrow_output(value) << shift);
                }
                """
        return "\(openCL ? "/* ----" : "// ----") Output: \(dtype.rawValue), narrowed from float32 \(String(repeating: "-", count: 60))\(openCL ? " */" : "")\n"
            + narrow + "\n" + store
    }

    /// `uint NAME(float)`: the float16 or bfloat16 bits of a float32, rounded to nearest even in
    /// integer arithmetic (nil for float32).
    public static func narrowing(_ dtype: ElementType, named name: String, dialect: KernelDialect) -> String? {
        let openCL = dialect.language == .openCL
        let (bits, float, rint, uint) = openCL ? ("as_uint", "as_float", "rint", "(uint)") : ("floatBitsToUint", "uintBitsToFloat", "roundEven", "uint")
        switch dtype {
        case .float16:
            return """
                /* float32 -> float16 bits, round to nearest even; NaN stays NaN, 65520 and up become infinity. */
                uint \(name)(float value) {
                    const uint bits = \(bits)(value), sign = (bits >> 16) & 0x8000u, magnitude = bits & 0x7fffffffu;
                    if (magnitude > 0x7f800000u) return sign | 0x7e00u;
                    if (magnitude >= 0x477ff000u) return sign | 0x7c00u;
                    /* below 2^-14: a subnormal half, a multiple of 2^-24 (the product is exact) */
                    if (magnitude < 0x38800000u) return sign | \(uint)(\(rint)(\(float)(magnitude) * 16777216.0f));
                    /* rebias the exponent from 127 to 15 and round the 13 dropped bits to nearest even */
                    return sign | ((magnitude + 0xc8000fffu + ((magnitude >> 13) & 1u)) >> 13);
                }
                """
        case .bfloat16:
            return """
                /* float32 -> bfloat16 bits (the upper half), round to nearest even; NaN stays a quiet NaN. */
                uint \(name)(float value) {
                    const uint bits = \(bits)(value);
                    if ((bits & 0x7fffffffu) > 0x7f800000u) return (bits >> 16) | 0x40u;
                    return (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
                }
                """
        case .float32:
            return nil
        }
    }
}
