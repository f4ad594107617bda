import AttentionTensors
import KernelLowering

/// The first sections of the program text: configuration `#define`s, the storage type and
/// its widening load, and the plan records the kernels read.
enum OpenCLPreamble {
    static func configuration(_ c: OpenCLConfiguration) -> String {
        return """
            /* ---- Configuration: compile-time constants ------------------------------------------------ */
            /* Sizes, the scale and the plan are kernel arguments, so every spec with these constants
               shares this program. All arithmetic is float32 whatever the storage type. */
            \(KernelDialect.openCL.constants(c.defines))

            #if PANEL_KEYS < MAX_KEY_ROWS
            #error "a panel must hold the largest key tile"
            #endif
            """
    }

    static func storage(_ dtype: ElementType) -> String {
        let body: String
        switch dtype {
        case .float32:
            body = """
                /* float32 storage. */
                typedef float storage_t;
                float load_element(__global const storage_t* data, size_t index) { return data[index]; }
                """
        case .float16:
            body = """
                /* float16 storage, read as 32-bit words: element i is the low (even i) or high (odd i)
                   half of word i/2. Whole-word loads vectorise well, and the explicit widening needs
                   no cl_khr_fp16. Exact for every half, subnormals included. */
                typedef uint storage_t;
                float load_element(__global const storage_t* data, size_t index) {
                    const uint word = data[index >> 1];
                    const uint bits = (index & 1) ? word >> 16 : word & 0xffffu;
                    const uint sign = (bits & 0x8000u) << 16, exponent = (bits >> 10) & 0x1fu, mantissa = bits & 0x3ffu;
                    if (exponent == 0) return as_float(sign) + (sign ? -1.0f : 1.0f) * (float)mantissa * 5.9604644775390625e-8f;
                    if (exponent == 31) return as_float(sign | 0x7f800000u | (mantissa << 13));
                    return as_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
                }
                """
        case .bfloat16:
            body = """
                /* bfloat16 storage, the upper 16 bits of a float32, read as 32-bit words like float16:
                   element i is the low (even i) or high (odd i) half of word i/2. */
                typedef uint storage_t;
                float load_element(__global const storage_t* data, size_t index) {
                    const uint word = data[index >> 1];
                    return as_float((index & 1) ? word & 0xffff0000u : word << 16);
                }
                """
        }
        return "/* ---- Storage -------------------------------------------------------------------------------- */\n" + body
    }
}
