import AttentionTensors

/// The first sections of the program text: configuration `#define`s, the storage type and
/// its widening load, and the plan records the kernels read.
enum OpenCLPreamble {
    static func configuration(_ c: OpenCLConfiguration) -> String {
        let width = c.defines.map { "#define \($0.name) \($0.value)".count }.max() ?? 0
        let defines = c.defines.map { d in
            let text = "#define \(d.name) \(d.value)"
            return text + String(repeating: " ", count: width - text.count) + "  /* \(d.comment) */"
        }
        return """
            /* ---- Configuration: compile-time constants ------------------------------------------------ */
            /* Sizes, the scale and the plan are kernel arguments, so every spec with these constants
               shares this program. All arithmetic is float32 whatever the storage type. */
            \(defines.joined(separator: "\n"))

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

    /// Plan records. `decodeOutputTile` for kernels that derive their tile from the work-group
    /// id (flash, merge); `segmentTable` for split-KV and lean.
    static func planRecords(flash: Bool, segmentTable: Bool, merge: Bool) -> String {
        var parts = ["""
            /* ---- Plan records (host-built buffers, see the manifest) ------------------------------------ */

            /* Tile sizes from a CSR token list: tile t holds tokens[offsets[t] .. offsets[t + 1]). */
            int tile_size(__global const int* offsets, int tile) { return offsets[tile + 1] - offsets[tile]; }
            """]
        if flash || segmentTable {
            parts.append("""
                /* Visit v of the plan: visits[2v] is its key tile, visits[2v + 1] is 1 when it is FULL (no mask). */
                int visit_key_tile(__global const int* visits, int visit) { return visits[2 * visit]; }
                bool visit_is_full(__global const int* visits, int visit) { return visits[2 * visit + 1] != 0; }

                /* A contiguous run of one output tile's visits (WorkSegment): visits [visit_begin, visit_end)
                   index the `visits` list directly; `slot` is its partial-result slot (split-KV, lean). */
                typedef struct {
                    int batch, head, query_tile, visit_begin, visit_end, slot;
                } work_segment;
                """)
        }
        if flash || merge {
            parts.append("""
                /* An output tile (batch, head, query tile), numbered batch-major, then head (WorkPartition.outputTile). */
                typedef struct {
                    int batch, head, query_tile;
                } output_tile;

                output_tile decode_output_tile(int index, int heads, int query_tiles) {
                    const output_tile tile = { index / (query_tiles * heads), (index / query_tiles) % heads, index % query_tiles };
                    return tile;
                }
                """)
        }
        if flash {
            parts.append("""
                /* Flash: work-group g computes output tile g over all of its query tile's visits. */
                work_segment flash_segment(int group, int heads, int query_tiles, __global const int* visit_offsets) {
                    const output_tile tile = decode_output_tile(group, heads, query_tiles);
                    const work_segment segment = {
                        tile.batch, tile.head, tile.query_tile,
                        visit_offsets[tile.query_tile], visit_offsets[tile.query_tile + 1], 0,
                    };
                    return segment;
                }
                """)
        }
        if segmentTable {
            parts.append("""
                /* Segment `index` of the host-built table: six ints (batch, head, query tile, first visit,
                   end visit, partial slot), the visit range relative to the query tile's visits. */
                work_segment read_segment(__global const int* segments, int index, __global const int* visit_offsets) {
                    __global const int* s = segments + 6 * index;
                    const int first = visit_offsets[s[2]];
                    const work_segment segment = { s[0], s[1], s[2], first + s[3], first + s[4], s[5] };
                    return segment;
                }
                """)
        }
        return parts.joined(separator: "\n\n")
    }
}
