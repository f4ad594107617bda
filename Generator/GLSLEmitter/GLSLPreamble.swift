import AttentionTensors

/// The first sections of a shader: version and extensions, the configuration constants, the
/// push-constant block, the buffers with their widening loads, and the plan accessors.
enum GLSLPreamble {
    static func version(sixteenBitStorage: Bool) -> String {
        var lines = [
            "#version 450",
            "#extension GL_EXT_control_flow_attributes : require  // [[unroll]]: tile loops leave no real loop behind",
        ]
        if sixteenBitStorage {
            lines.append("#extension GL_EXT_shader_16bit_storage : require    // 16-bit tensor elements read directly")
        }
        return lines.joined(separator: "\n")
    }

    /// The configuration constants and the small utilities; `attention` adds the step counts of
    /// the tile loops and the work-group barrier, which the merge does not use.
    static func configuration(_ c: GLSLConfiguration, attention: Bool) -> String {
        let width = c.constants.map { "const int \($0.name) = \($0.value);".count }.max() ?? 0
        let constants = c.constants.map { d in
            let text = "const int \(d.name) = \(d.value);"
            return text + String(repeating: " ", count: width - text.count) + "  // \(d.comment)"
        }
        let steps = attention ? """
            const int ROW_STEPS = (MAX_QUERY_ROWS + WG_SIZE - 1) / WG_SIZE;
            const int QUERY_STEPS = (MAX_QUERY_ROWS * HEAD_DIM + WG_SIZE - 1) / WG_SIZE;
            const int KEY_TILE_STEPS = (MAX_KEY_ROWS + WG_SIZE - 1) / WG_SIZE;
            const int KEY_STEPS = (KEY_CHUNK * HEAD_DIM + WG_SIZE - 1) / WG_SIZE;
            const int VALUE_STEPS = (KEY_CHUNK * VALUE_DIM + WG_SIZE - 1) / WG_SIZE;
            const int SCORE_STEPS = (MAX_QUERY_ROWS * KEY_CHUNK + WG_SIZE - 1) / WG_SIZE;
            const int ACC_STEPS = (MAX_QUERY_ROWS * VALUE_DIM + WG_SIZE - 1) / WG_SIZE;
            """ : "const int ACC_STEPS = (MAX_QUERY_ROWS * VALUE_DIM + WG_SIZE - 1) / WG_SIZE;"
        let sync = attention ? """


            // Shared-memory writes of every invocation are visible to all after this.
            void workgroup_sync() {
                memoryBarrierShared();
                barrier();
            }
            """ : ""
        return """
            // ---- Configuration: compile-time constants ---------------------------------------------------
            // Sizes, the scale and the plan's offsets are push constants and the plan is a buffer, so every
            // spec with these constants shares this shader. All arithmetic is float32 whatever the storage.
            \(constants.joined(separator: "\n"))

            layout(local_size_x = \(c.workgroupSize)) in;

            // Steps of the [[unroll]] loops that spread a tile's elements over the work-group.
            \(steps)

            // -inf by its bits: GLSL has no infinity literal and 1.0 / 0.0 is undefined (a macro, since
            // glslang does not fold uintBitsToFloat in a const initializer).
            #define NEG_INF uintBitsToFloat(0xff800000u)

            int local_id() { return int(gl_LocalInvocationID.x); }
            """ + sync
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
    static func buffers(_ buffers: [GLSLBufferBinding], readsPartials: Bool, dtype: ElementType, sixteenBitStorage: Bool) -> String {
        let declarations = buffers.map { b in
            let block = b.name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Buffer"
            let access = b.readOnly || (b.role == .scratch && readsPartials) ? "readonly" : "writeonly"
            return "layout(std430, set = 0, binding = \(b.binding)) \(access) buffer \(block) { \(b.glslType) \(b.arrayName)[]; };"
        }
        var parts = ["// ---- Buffers (descriptor set 0; bindings are fixed across the program's shaders) ------------\n"
            + declarations.joined(separator: "\n")]
        let tensors = buffers.filter { $0.role == .input }.map(\.name)
        if !tensors.isEmpty {
            parts.append(storage(tensors, dtype: dtype, sixteenBitStorage: sixteenBitStorage))
        }
        parts.append("""
            // Row of a [batch, tokens, heads, width] tensor (uint: tensors may pass 2^31 elements).
            uint tensor_row(int batch, int token, int grid_tokens, int tensor_heads, int head) {
                return (uint(batch) * uint(grid_tokens) + uint(token)) * uint(tensor_heads) + uint(head);
            }
            """)
        return parts.joined(separator: "\n\n")
    }

    private static func storage(_ tensors: [String], dtype: ElementType, sixteenBitStorage: Bool) -> String {
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

    /// Plan accessors. `visits` and `segments` for attention kernels, `decode` for kernels that
    /// derive their output tile from the work-group (flash, merge).
    static func planAccessors(attention: Bool, flash: Bool, segmentTable: Bool, merge: Bool) -> String {
        var parts = ["""
            // ---- Plan records (the packed plan buffer; pc.<table>_base is each table's word offset) ------

            // Query tile t holds tokens query_tile_tokens[offsets[t] .. offsets[t + 1]) (CSR).
            int query_tile_size(int tile) { return plan_data[pc.query_tile_offsets_base + tile + 1] - plan_data[pc.query_tile_offsets_base + tile]; }
            int query_tile_token(int tile, int row) { return plan_data[pc.query_tile_tokens_base + plan_data[pc.query_tile_offsets_base + tile] + row]; }
            """]
        if attention {
            parts.append("""
                int key_tile_size(int tile) { return plan_data[pc.key_tile_offsets_base + tile + 1] - plan_data[pc.key_tile_offsets_base + tile]; }
                int key_tile_token(int tile, int row) { return plan_data[pc.key_tile_tokens_base + plan_data[pc.key_tile_offsets_base + tile] + row]; }

                // Visit v of the plan: visits[2v] is its key tile, visits[2v + 1] is 1 when it is FULL (no mask).
                int visit_key_tile(int visit) { return plan_data[pc.visits_base + 2 * visit]; }
                bool visit_is_full(int visit) { return plan_data[pc.visits_base + 2 * visit + 1] != 0; }
                int visit_offset(int query_tile) { return plan_data[pc.visit_offsets_base + query_tile]; }

                // A contiguous run of one output tile's visits (WorkSegment): visits [visit_begin, visit_end)
                // index the `visits` table directly; `slot` is its partial-result slot (split-KV, lean).
                struct WorkSegment {
                    int batch;
                    int head;
                    int query_tile;
                    int visit_begin;
                    int visit_end;
                    int slot;
                };
                """)
        }
        if flash || merge {
            parts.append("""
                // An output tile (batch, head, query tile), numbered batch-major, then head (WorkPartition.outputTile).
                struct OutputTile {
                    int batch;
                    int head;
                    int query_tile;
                };

                OutputTile decode_output_tile(int index) {
                    return OutputTile(index / (pc.query_tiles * pc.heads), (index / pc.query_tiles) % pc.heads, index % pc.query_tiles);
                }
                """)
        }
        if flash {
            parts.append("""
                // Flash: work-group g computes output tile g over all of its query tile's visits.
                WorkSegment flash_segment(int group) {
                    const OutputTile tile = decode_output_tile(group);
                    return WorkSegment(tile.batch, tile.head, tile.query_tile, visit_offset(tile.query_tile), visit_offset(tile.query_tile + 1), 0);
                }
                """)
        }
        if segmentTable && attention {
            parts.append("""
                // Work-group g runs segments [segment_offset(g), segment_offset(g + 1)) of the host-built table.
                int segment_offset(int group) { return plan_data[pc.segment_offsets_base + group]; }

                // Segment `index`: six ints (batch, head, query tile, first visit, end visit, partial slot), the
                // visit range relative to the query tile's visits.
                WorkSegment read_segment(int index) {
                    const int s = pc.segments_base + 6 * index;
                    const int first = visit_offset(plan_data[s + 2]);
                    return WorkSegment(plan_data[s], plan_data[s + 1], plan_data[s + 2], first + plan_data[s + 3], first + plan_data[s + 4], plan_data[s + 5]);
                }
                """)
        }
        if merge {
            parts.append("""
                // Output tile o merges partial slots [slot_offset(o), slot_offset(o + 1)).
                int slot_offset(int tile) { return plan_data[pc.slot_offsets_base + tile]; }
                """)
        }
        return parts.joined(separator: "\n\n")
    }

    /// The work-group's index in the (x, y) dispatch that folds large counts under 65535 per axis.
    static let groupIndex = "int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x)"
}
