import AttentionTensors
import KernelLowering

/// The first sections of a shader: version and extensions, the configuration constants, the
/// push-constant block, the buffers with their widening loads, and the plan accessors.
enum GLSLPreamble {
    static func version(sixteenBitStorage: Bool, subgroupShuffle: Bool, matrix: CooperativeMatrixStrategy? = nil) -> String {
        var lines = [
            "#version 450",
            "#extension GL_EXT_control_flow_attributes : require  // [[unroll]]: tile loops leave no real loop behind",
        ]
        if sixteenBitStorage {
            lines.append("#extension GL_EXT_shader_16bit_storage : require    // 16-bit tensor elements read directly")
        }
        if subgroupShuffle {
            lines.append("#extension GL_KHR_shader_subgroup_shuffle : require  // rows reduced by subgroupShuffleXor")
        }
        if let matrix { lines += CooperativeMatrixFragments(matrix).extensions }
        return lines.joined(separator: "\n")
    }

    /// The configuration constants, the local size and `NEG_INF`.
    static func configuration(_ c: GLSLConfiguration) -> String {
        return """
            // ---- Configuration: compile-time constants ---------------------------------------------------
            // Sizes, the scale and the plan's offsets are push constants and the plan is a buffer, so every
            // spec with these constants shares this shader. All arithmetic is float32 whatever the storage.
            // Strategy: \(c.strategy)
            \(KernelDialect.glsl.constants(c.constants))

            layout(local_size_x = \(c.workgroupSize)) in;

            // -inf by its bits: GLSL has no infinity literal and 1.0 / 0.0 is undefined (a macro, since
            // glslang does not fold uintBitsToFloat in a const initializer).
            #define NEG_INF uintBitsToFloat(0xff800000u)
            """
    }

    static func pushConstants(_ members: [GLSLPushConstant]) -> String {
        let width = members.map { "\($0.type) \($0.name);".count }.max() ?? 0
        let lines = members.map { member in
            let text = "\(member.type) \(member.name);"
            return "    " + text + String(repeating: " ", count: width - text.count) + "  // \(member.comment)"
        }
        return """
            // ---- Push constants: run-time sizes and the plan tables' offsets (see the manifest) ------------
            layout(push_constant, std430) uniform PushConstants {
            \(lines.joined(separator: "\n"))
            } pc;
            """
    }

    /// The buffer blocks a shader uses, then the widening loads of the input tensors. Partial
    /// results are written by the attention shader and read by the merge.
    static func buffers(
        _ buffers: [GLSLBufferBinding], readsPartials: Bool, dtype: ElementType, sixteenBitStorage: Bool, output: OutputStorage? = nil
    ) -> String {
        let declarations = buffers.map { b in
            declaration(b, readOnly: b.readOnly || (b.role == .scratch && readsPartials))
        }
        var parts = ["// ---- Buffers (descriptor set 0; bindings are fixed across the program's shaders) ------------\n"
            + declarations.joined(separator: "\n")]
        // The bias is float32 whatever the storage type: read directly, not widened.
        let tensors = buffers.filter { $0.role == .input && $0.name != "bias" }.map(\.name)
        if !tensors.isEmpty {
            parts.append(storage(tensors, dtype: dtype, sixteenBitStorage: sixteenBitStorage))
        }
        if buffers.contains(where: { $0.name == "output" }), let helpers = output?.helpers { parts.append(helpers) }
        return parts.joined(separator: "\n\n")
    }

    /// One buffer block, e.g. `layout(std430, set = 0, binding = 0) readonly buffer QBuffer { float q_data[]; };`.
    static func declaration(_ b: GLSLBufferBinding, readOnly: Bool, glslType: String? = nil) -> String {
        let block = b.name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Buffer"
        let access = readOnly ? "readonly " : b.setsHalves ? "" : "writeonly "
        return "layout(std430, set = 0, binding = \(b.binding)) \(access)buffer \(block) "
            + "{ \(glslType ?? b.glslType) \(b.arrayName)[]; };"
    }

    static func storage(_ tensors: [String], dtype: ElementType, sixteenBitStorage: Bool) -> String {
        let comment: String
        let widen: String
        switch (dtype, sixteenBitStorage) {
        case (.float32, _):
            comment = "// float32 storage."
            widen = "{0}_data[index]"
        case (.float16, false):
            comment = """
                // float16 storage read without optional device features: two elements per uint word, the
                // even element in the low half (little-endian), widened exactly by unpackHalf2x16.
                """
            widen = "unpackHalf2x16({0}_data[index >> 1u])[index & 1u]"
        case (.bfloat16, false):
            comment = """
                // bfloat16 storage read without optional device features: two elements per uint word, the
                // even element in the low half; a bfloat16 is the upper 16 bits of a float32.
                float widen_bfloat16(uint word, uint index) { return uintBitsToFloat((index & 1u) == 0u ? word << 16 : word & 0xffff0000u); }
                """
            widen = "widen_bfloat16({0}_data[index >> 1u], index)"
        case (.float16, true):
            comment = "// float16 storage through GL_EXT_shader_16bit_storage: float16_t widens exactly to float."
            widen = "float({0}_data[index])"
        case (.bfloat16, true):
            comment = "// bfloat16 storage through GL_EXT_shader_16bit_storage: the upper 16 bits of a float32."
            widen = "uintBitsToFloat(uint({0}_data[index]) << 16)"
        }
        let loads = tensors.map { "float load_\($0)(uint index) { return \(widen.replacingOccurrences(of: "{0}", with: $0)); }" }
        return "// ---- Storage: element `index` of a tensor, widened to float32 -----------------------------------\n"
            + comment + "\n" + loads.joined(separator: "\n")
    }

    /// The work-group's index in the (x, y) dispatch that folds large counts under 65535 per axis.
    static let groupIndex = "int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x)"
}
