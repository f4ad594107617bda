// AttentionGen: generated GLSL 450 compute shader 2 of 2: merge_partials.
// Regenerate with `attngen emit SPEC.json --target glsl`.
//
// spec:     B2 H8/2 d128/128 q[1] k[2000] float16, causal, tiles 16/64, splitKV(4)
// tiling:   query tile 16 (16 tokens), key tile 64 (64 tokens);
//           1 query tiles, 32 key tiles
// plan:     per (batch, head) 32 visits: 32 FULL (mask-free), 0 PARTIAL (masked per element)
// schedule: splitKV(4): each query tile's visits in 4 near-equal chunks, merged by log-sum-exp
// dispatch: attention_split_kv (64 work-groups of 128), then merge_partials (16 work-groups of 128)
// this:     vkCmdDispatch(16, 1, 1), local size 128; 0 bytes of shared memory;
//           at most 5 loop iterations per invocation (tile loops not unrolled)
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
// Strategy: cooperative matrices (nv) 16x16x16, 4 subgroups of 32, float16 operands, float32 accumulators; softmax on 16x8 invocations, micro-tile 1x8, 16 query rows, 64 keys per step, subgroupShuffle reduction, rolled tile loops
const int HEAD_DIM = 128;         // query/key head dimension
const int VALUE_DIM = 128;        // value head dimension
const int MAX_QUERY_ROWS = 1;     // tokens of the largest query tile
const int MAX_KEY_ROWS = 64;      // tokens of the largest key tile
const int PANEL_KEYS = 64;        // key rows one panel of consecutive visits holds
const int WG_SIZE = 128;          // invocations per work-group
const int TILE_ROWS = 16;         // query rows of a work-group: ROW_THREADS x ROWS_PER_THREAD
const int ROW_THREADS = 16;       // invocations along the rows
const int KEY_THREADS = 8;        // invocations along a block's keys (they share rows)
const int ROWS_PER_THREAD = 1;    // micro-tile rows of S and O per invocation
const int KEYS_PER_THREAD = 8;    // micro-tile keys of S per invocation
const int BLOCK_KEYS = 64;        // keys scored per step: KEY_THREADS x KEYS_PER_THREAD
const int OUT_COLUMNS = 16;       // micro-tile columns of O per invocation
const int FM = 16;                // fragment rows
const int FN = 16;                // fragment columns
const int FK = 16;                // fragment depth
const int SUBGROUPS = 4;          // subgroups of the work-group
const int LANES = 32;             // invocations per subgroup
const int HEAD_PAD = 128;         // head dim padded to whole fragments (zeros)
const int VALUE_PAD = 128;        // value dim padded to whole fragments (zeros)
const int Q_STRIDE = 136;         // elements per row of the Q tile
const int K_STRIDE = 136;         // elements per key of the K block
const int V_STRIDE = 136;         // elements per key of the V block
const int S_STRIDE = 68;          // floats per row of S
const int P_STRIDE = 72;          // elements per row of P
const int O_STRIDE = 132;         // floats per row of O
const int STAGE_ELEMENTS = 8704;  // the K/V stage
const int S_FRAGMENTS = 4;        // fragments of S: (TILE_ROWS/FM) x (BLOCK_KEYS/FN)
const int O_FRAGMENTS = 8;        // fragments of O: (TILE_ROWS/FM) x (VALUE_PAD/FN)
const int ROW_STEPS = 1;          // steps of a loop over the tile's rows
const int QUERY_STEPS = 16;       // steps of the Q load
const int KEY_TILE_STEPS = 1;     // steps of a key tile's token copy
const int KEY_STEPS = 64;         // steps of a K block's load
const int VALUE_STEPS = 64;       // steps of a V block's load
const int OUTPUT_STEPS = 17;      // steps of clearing O

layout(local_size_x = 128) in;

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
        const int e = 0 * 128 + int(gl_LocalInvocationID.x);
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
