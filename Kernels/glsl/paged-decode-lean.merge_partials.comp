// AttentionGen: generated GLSL 450 compute shader 2 of 2: merge_partials.
// Regenerate with `attngen emit SPEC.json --target glsl`.
//
// spec:     B1 H8/2 d64/64 q[8] k[3000] in 20x256 pages float32, varlen 8 sequences, window (-1, 0), tiles 1/128, lean(12)
// tiling:   query tile 1 (1 tokens), key tile 128 (128 tokens);
//           8 query tiles, 24 key tiles
// plan:     per (batch, head) 31 visits: 19 FULL (mask-free), 12 PARTIAL (masked per element)
// schedule: lean(12): all (batch, head, query tile, key tile) work split evenly over 12 work-groups (stream-K), merged by log-sum-exp
// dispatch: attention_lean (12 work-groups of 64), then merge_partials (64 work-groups of 64)
// this:     vkCmdDispatch(64, 1, 1), local size 64; 0 bytes of shared memory;
//           at most 3 loop iterations per invocation (tile loops not unrolled)
//
// Layout: q [batch, *queryShape, heads, headDim], k and v [batch, *keyShape, kvHeads, headDim | valueDim];
// output [batch, *queryShape, heads, valueDim] and lse [batch, *queryShape, heads] in float32 (natural log).
// Bindings, push-constant values, specialization constants and the plan data: see the .glsl-manifest.json
// written with this file. Needs no optional device feature.

#version 450
#extension GL_EXT_control_flow_attributes : require  // [[unroll]]: tile loops leave no real loop behind

// ---- Configuration: compile-time constants ---------------------------------------------------
// Sizes, the scale and the plan's offsets are push constants and the plan is a buffer, so every
// spec with these constants shares this shader. All arithmetic is float32 whatever the storage.
// Strategy: simt 1x64 invocations, micro-tile 1x1, 64 keys per step, K staged 64 dims at a time, V 64 keys at a time, sharedMemory reduction, rolled tile loops, strided columns
const int HEAD_DIM = 64;        // query/key head dimension
const int VALUE_DIM = 64;       // value head dimension
const int MAX_QUERY_ROWS = 1;   // tokens of the largest query tile
const int MAX_KEY_ROWS = 128;   // tokens of the largest key tile
const int PANEL_KEYS = 128;     // key rows one panel of consecutive visits holds
const int WG_SIZE = 64;         // invocations per work-group
const int TILE_ROWS = 1;        // query rows of a work-group: ROW_THREADS x ROWS_PER_THREAD
const int ROW_THREADS = 1;      // invocations along the rows
const int KEY_THREADS = 64;     // invocations along a block's keys (they share rows)
const int ROWS_PER_THREAD = 1;  // micro-tile rows of S and O per invocation
const int KEYS_PER_THREAD = 1;  // micro-tile keys of S per invocation
const int BLOCK_KEYS = 64;      // keys scored per step: KEY_THREADS x KEYS_PER_THREAD
const int OUT_COLUMNS = 1;      // micro-tile columns of O per invocation
const int HEAD_CHUNK = 64;      // dims of K staged at once
const int VALUE_KEYS = 64;      // keys of V staged at once
const int Q_STRIDE = 2;         // words per dim of the transposed Q tile
const int K_STRIDE = 65;        // words per dim of the transposed K chunk
const int V_STRIDE = 64;        // words per key of the V part
const int STAGE_FLOATS = 4160;  // the K/V stage
const int ROW_STEPS = 1;        // steps of a loop over the tile's rows
const int QUERY_STEPS = 1;      // steps of the Q load
const int KEY_TILE_STEPS = 2;   // steps of a key tile's token copy
const int KEY_STEPS = 64;       // steps of a K chunk's load
const int VALUE_STEPS = 64;     // steps of a V part's load

layout(local_size_x = 64) in;

// -inf by its bits: GLSL has no infinity literal and 1.0 / 0.0 is undefined (a macro, since
// glslang does not fold uintBitsToFloat in a const initializer).
#define NEG_INF uintBitsToFloat(0xff800000u)

// ---- Push constants: run-time sizes and the plan tables' offsets (see the manifest) ------------
layout(push_constant, std430) uniform PushConstants {
    int batch;                    // batch size
    int heads;                    // query heads
    int kv_heads;                 // key/value heads (GQA: heads is a multiple)
    int query_tokens;             // flat query grid size (Sq)
    int key_tokens;               // flat key grid size (Sk)
    int query_tiles;              // query tiles per (batch, head)
    int segment_groups;           // work-groups of the segment table
    float scale;                  // softmax scale applied to Q*K^T
    int query_tile_offsets_base;  // plan_data offset of query_tile_offsets
    int query_tile_tokens_base;   // plan_data offset of query_tile_tokens
    int key_tile_offsets_base;    // plan_data offset of key_tile_offsets
    int key_tile_tokens_base;     // plan_data offset of key_tile_tokens
    int visit_offsets_base;       // plan_data offset of visit_offsets
    int visits_base;              // plan_data offset of visits
    int segment_offsets_base;     // plan_data offset of segment_offsets
    int segments_base;            // plan_data offset of segments
    int slot_offsets_base;        // plan_data offset of slot_offsets
    int mask_table_base;          // plan_data offset of mask_table
    int key_slots_base;           // plan_data offset of key_slots
} pc;

// ---- Buffers (descriptor set 0; bindings are fixed across the program's shaders) ------------
layout(std430, set = 0, binding = 3) writeonly buffer OutputBuffer { float output_data[]; };
layout(std430, set = 0, binding = 4) writeonly buffer LseBuffer { float lse_data[]; };
layout(std430, set = 0, binding = 5) readonly buffer PlanBuffer { int plan_data[]; };
layout(std430, set = 0, binding = 6) readonly buffer PartialMBuffer { float partial_m_data[]; };
layout(std430, set = 0, binding = 7) readonly buffer PartialLBuffer { float partial_l_data[]; };
layout(std430, set = 0, binding = 8) readonly buffer PartialAccBuffer { float partial_acc_data[]; };

// ---- Kernel merge_partials ---------------------------------------------------------------------
void main() {
    const int group = int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x);
    if (group >= pc.batch * pc.heads * pc.query_tiles) return;  // padding of the folded (x, y) dispatch; uniform per work-group

    const int tile_batch = group / (pc.query_tiles * pc.heads), tile_head = (group / pc.query_tiles) % pc.heads, tile_query = group % pc.query_tiles;
    const int rows = plan_data[pc.query_tile_offsets_base + tile_query + 1] - plan_data[pc.query_tile_offsets_base + tile_query];
    {
        const int e = 0 * 64 + int(gl_LocalInvocationID.x);
        const int r = e / VALUE_DIM, x = e % VALUE_DIM;
        if (r < rows) {
            // (m, l, acc) <- (-inf, 0, 0)
            float m = NEG_INF, l = 0.0f, acc = 0.0f;
            // for part in partials(outputTile):
            for (int slot = plan_data[pc.slot_offsets_base + group]; slot < plan_data[pc.slot_offsets_base + group + 1]; ++slot) {
                // (m, l, acc) <- lse_merge((m, l, acc), partial[part]); an empty part (l_i = 0) adds nothing, a NaN one makes the row NaN
                const float part_m = partial_m_data[slot * MAX_QUERY_ROWS + r];
                const float part_l = partial_l_data[slot * MAX_QUERY_ROWS + r];
                if (part_l != 0.0f) {
                    const float merged = max(m, part_m);
                    const float own = m == NEG_INF ? 0.0f : exp(m - merged);
                    const float other = exp(part_m - merged);
                    l = l * own + part_l * other;
                    acc = acc * own + partial_acc_data[(uint(slot) * uint(MAX_QUERY_ROWS) + uint(r)) * uint(VALUE_DIM) + uint(x)] * other;
                    m = merged;
                }
            }
            // store out <- acc / l, lse <- m + log l (0, -inf where l = 0)
            const int token = plan_data[pc.query_tile_tokens_base + plan_data[pc.query_tile_offsets_base + tile_query] + r];
            const uint row = ((uint(tile_batch) * uint(pc.query_tokens) + uint(token)) * uint(pc.heads) + uint(tile_head));
            output_data[row * uint(VALUE_DIM) + uint(x)] = l == 0.0f ? 0.0f : acc / l;
            if (x == 0) lse_data[row] = l == 0.0f ? NEG_INF : m + log(l);
        }
    }
}
