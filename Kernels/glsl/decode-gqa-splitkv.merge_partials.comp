// AttentionGen: generated GLSL 450 compute shader 2 of 2: merge_partials.
// Regenerate with `attngen emit SPEC.json --target glsl`.
//
// spec:     B2 H8/2 d128/128 q[1] k[2000] float16, causal, tiles 16/64, splitKV(4)
// tiling:   query tile 16 (16 tokens), key tile 64 (64 tokens);
//           1 query tiles, 32 key tiles
// plan:     per (batch, head) 32 visits: 32 FULL (mask-free), 0 PARTIAL (masked per element)
// schedule: splitKV(4): each query tile's visits in 4 near-equal chunks, merged by log-sum-exp
// dispatch: attention_split_kv (64 work-groups of 64), then merge_partials (16 work-groups of 64)
// this:     vkCmdDispatch(16, 1, 1), local size 64; 0 bytes of shared memory;
//           at most 23 loop iterations per invocation (tile loops not unrolled)
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
const int HEAD_DIM = 128;      // query/key head dimension
const int VALUE_DIM = 128;     // value head dimension
const int MAX_QUERY_ROWS = 1;  // tokens of the largest query tile
const int MAX_KEY_ROWS = 64;   // tokens of the largest key tile
const int PANEL_KEYS = 64;     // key rows one panel of consecutive visits holds
const int KEY_CHUNK = 30;      // keys of a panel that K, V and S hold at once
const int WG_SIZE = 64;        // invocations per work-group

layout(local_size_x = 64) in;

// Steps of the loops that spread a tile's elements over the work-group.
const int ACC_STEPS = (MAX_QUERY_ROWS * VALUE_DIM + WG_SIZE - 1) / WG_SIZE;

// -inf by its bits: GLSL has no infinity literal and 1.0 / 0.0 is undefined (a macro, since
// glslang does not fold uintBitsToFloat in a const initializer).
#define NEG_INF uintBitsToFloat(0xff800000u)

int local_id() { return int(gl_LocalInvocationID.x); }

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

// Row of a [batch, tokens, heads, width] tensor (uint: tensors may pass 2^31 elements).
uint tensor_row(int batch, int token, int grid_tokens, int tensor_heads, int head) {
    return (uint(batch) * uint(grid_tokens) + uint(token)) * uint(tensor_heads) + uint(head);
}

// ---- Plan records (the packed plan buffer; pc.<table>_base is each table's word offset) ------

// Query tile t holds tokens query_tile_tokens[offsets[t] .. offsets[t + 1]) (CSR).
int query_tile_size(int tile) { return plan_data[pc.query_tile_offsets_base + tile + 1] - plan_data[pc.query_tile_offsets_base + tile]; }
int query_tile_token(int tile, int row) { return plan_data[pc.query_tile_tokens_base + plan_data[pc.query_tile_offsets_base + tile] + row]; }

// An output tile (batch, head, query tile), numbered batch-major, then head (WorkPartition.outputTile).
struct OutputTile {
    int batch;
    int head;
    int query_tile;
};

OutputTile decode_output_tile(int index) {
    return OutputTile(index / (pc.query_tiles * pc.heads), (index / pc.query_tiles) % pc.heads, index % pc.query_tiles);
}

// Output tile o merges partial slots [slot_offset(o), slot_offset(o + 1)).
int slot_offset(int tile) { return plan_data[pc.slot_offsets_base + tile]; }

// ---- Registers: one (m, l, acc) per output element this invocation owns (step * WG_SIZE + local_id()).
// The merge needs no shared memory and no barrier.
float m[ACC_STEPS], l[ACC_STEPS], acc[ACC_STEPS];

// ---- Merge -------------------------------------------------------------------------------------

// (m, l, acc) <- (-inf, 0, 0) for every element this invocation owns.
void init_state() {
    for (int step = 0; step < ACC_STEPS; ++step) {
        m[step] = NEG_INF;
        l[step] = 0.0;
        acc[step] = 0.0;
    }
}

// Log-sum-exp merge of partial `slot` into each element's (m, l, acc): m' = max(m, m_i),
// l = l*exp(m - m') + l_i*exp(m_i - m'), acc likewise. An empty part (m_i = -inf, every key
// masked) adds nothing. Same arithmetic as the CPU interpreter and the OpenCL kernel.
void merge_partial(int slot, int rows) {
    const int lid = local_id();
    for (int step = 0; step < ACC_STEPS; ++step) {
        const int e = step * WG_SIZE + lid;
        const int r = e / VALUE_DIM;
        const float part_m = r < rows ? partial_m_data[slot * MAX_QUERY_ROWS + r] : NEG_INF;
        if (part_m != NEG_INF) {
            const float merged = max(m[step], part_m);
            const float own = m[step] == NEG_INF ? 0.0 : exp(m[step] - merged);
            const float other = exp(part_m - merged);
            const uint element = uint(slot) * uint(MAX_QUERY_ROWS * VALUE_DIM) + uint(e);
            l[step] = l[step] * own + partial_l_data[slot * MAX_QUERY_ROWS + r] * other;
            acc[step] = acc[step] * own + partial_acc_data[element] * other;
            m[step] = merged;
        }
    }
}

// out <- acc / l, lse <- m + log l (0, -inf where l = 0); the element of column 0 writes lse.
void store_output(OutputTile tile, int rows) {
    const int lid = local_id();
    for (int step = 0; step < ACC_STEPS; ++step) {
        const int e = step * WG_SIZE + lid;
        const int r = e / VALUE_DIM, x = e % VALUE_DIM;
        if (r < rows) {
            const uint row = tensor_row(tile.batch, query_tile_token(tile.query_tile, r), pc.query_tokens, pc.heads, tile.head);
            output_data[row * uint(VALUE_DIM) + uint(x)] = l[step] == 0.0 ? 0.0 : acc[step] / l[step];
            if (x == 0) lse_data[row] = l[step] == 0.0 ? NEG_INF : m[step] + log(l[step]);
        }
    }
}

// ---- Kernel merge_partials ---------------------------------------------------------------------
void main() {
    const int group = int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x);
    if (group >= pc.batch * pc.heads * pc.query_tiles) return;  // padding of the folded (x, y) dispatch; uniform per work-group

    const OutputTile tile = decode_output_tile(group);
    const int rows = query_tile_size(tile.query_tile);
    // (m, l, acc) <- (-inf, 0, 0)
    init_state();
    // for part in partials(outputTile):
    for (int slot = slot_offset(group); slot < slot_offset(group + 1); ++slot) {
        // (m, l, acc) <- lse_merge((m, l, acc), partial[part])
        merge_partial(slot, rows);
    }
    // store out <- acc / l, lse <- m + log l (0, -inf where l = 0)
    store_output(tile, rows);
}
