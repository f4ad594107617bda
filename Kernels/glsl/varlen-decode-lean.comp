// AttentionGen: generated GLSL 450 compute shader 1 of 2: attention_lean.
// Regenerate with `attngen emit SPEC.json --target glsl`.
//
// spec:     B1 H8/2 d64/64 q[8] k[3000] float32, varlen 8 sequences, window (-1, 0), tiles 1/128, lean(12)
// tiling:   query tile 1 (1 tokens), key tile 128 (128 tokens);
//           8 query tiles, 24 key tiles
// plan:     per (batch, head) 31 visits: 19 FULL (mask-free), 12 PARTIAL (masked per element)
// schedule: lean(12): all (batch, head, query tile, key tile) work split evenly over 12 work-groups (stream-K), merged by log-sum-exp
// dispatch: attention_lean (12 work-groups of 64), then merge_partials (64 work-groups of 64)
// this:     vkCmdDispatch(12, 1, 1), local size 64; 18692 bytes of shared memory;
//           at most 8694 loop iterations per invocation (tile loops not unrolled)
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
} pc;

// ---- Buffers (descriptor set 0; bindings are fixed across the program's shaders) ------------
layout(std430, set = 0, binding = 0) readonly buffer QBuffer { float q_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer KBuffer { float k_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer VBuffer { float v_data[]; };
layout(std430, set = 0, binding = 5) readonly buffer PlanBuffer { int plan_data[]; };
layout(std430, set = 0, binding = 6) writeonly buffer PartialMBuffer { float partial_m_data[]; };
layout(std430, set = 0, binding = 7) writeonly buffer PartialLBuffer { float partial_l_data[]; };
layout(std430, set = 0, binding = 8) writeonly buffer PartialAccBuffer { float partial_acc_data[]; };

// ---- Storage: element `index` of a tensor, widened to float32 -----------------------------------
// float32 storage.
float load_q(uint index) { return q_data[index]; }
float load_k(uint index) { return k_data[index]; }
float load_v(uint index) { return v_data[index]; }

// ---- Mask predicate ------------------------------------------------------------------------------
// Packed sequences of different lengths (cu_seqlens): the host lists, per packed query, the packed
// keys first .. last it sees (its own sequence's, under that sequence's window; empty: last < first).
bool varlen_mask_allows(int query, int key) {
    return key >= plan_data[pc.mask_table_base + 3 * query] && key <= plan_data[pc.mask_table_base + 3 * query + 1];
}

// Work-group tiles: Q transposed, the K/V stage, P, the row reduction, token lists.
shared float q_tile[HEAD_DIM * Q_STRIDE];       // Q[row][x] at x * Q_STRIDE + row
shared float stage[STAGE_FLOATS];              // K chunk [x][key] or V part [key][x]
shared float p_tile[TILE_ROWS * BLOCK_KEYS];     // P = exp(S - m) of the block
shared float row_share[TILE_ROWS * KEY_THREADS];  // per-invocation row maxima, then sums
shared int query_rows[TILE_ROWS];               // flat tokens of the query tile
shared int panel_tokens[PANEL_KEYS];            // flat tokens of the panel's keys, in visit order
shared int panel_masked[PANEL_KEYS];            // 1 where the key's visit is PARTIAL

// ---- Kernel attention_lean ---------------------------------------------------------------------
void main() {
    const int group = int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x);
    if (group >= pc.segment_groups) return;  // padding of the folded (x, y) dispatch; uniform per work-group

    const int lid = int(gl_LocalInvocationID.x);
    const int rg = lid / KEY_THREADS, cg = lid % KEY_THREADS;  // this invocation's row and key group
    // O micro-tile: o<i>_<j> holds row rg + i*ROW_THREADS, column cg + j*KEY_THREADS
    float o0_0;
    // running max and this invocation's share of the row sum, per micro-tile row
    float m0, l0;

    // for segment in workgroup.segments (the host-built segment table: six ints each, visits relative to the tile's)
    for (int s = plan_data[pc.segment_offsets_base + group]; s < plan_data[pc.segment_offsets_base + group + 1]; ++s) {
        const int seg_batch = plan_data[pc.segments_base + 6 * s], seg_head = plan_data[pc.segments_base + 6 * s + 1], seg_query_tile = plan_data[pc.segments_base + 6 * s + 2];
        const int first_visit = plan_data[pc.visit_offsets_base + seg_query_tile];
        const int seg_begin = first_visit + plan_data[pc.segments_base + 6 * s + 3], seg_end = first_visit + plan_data[pc.segments_base + 6 * s + 4], seg_slot = plan_data[pc.segments_base + 6 * s + 5];
        memoryBarrierShared();
        barrier();  // the previous segment's readers of q_tile and query_rows are done
        const int rows = plan_data[pc.query_tile_offsets_base + seg_query_tile + 1] - plan_data[pc.query_tile_offsets_base + seg_query_tile];
        const int kv_head = seg_head / (pc.heads / pc.kv_heads);  // GQA: query head h reads kv head h / (heads / kv_heads)
        // Q <- load q[batch, segment.queryTile, head], transposed; rows past the tile are zero
        {
            const int r = 0 * WG_SIZE + lid;
            if (r < TILE_ROWS) query_rows[r] = r < rows ? plan_data[pc.query_tile_tokens_base + plan_data[pc.query_tile_offsets_base + seg_query_tile] + r] : 0;
        }
        {
            const int e = 0 * WG_SIZE + lid;
            const int r = e / HEAD_DIM, x = e % HEAD_DIM;
            if (r < TILE_ROWS) {
                float value = 0.0f;
                if (r < rows) {
                    const int token = plan_data[pc.query_tile_tokens_base + plan_data[pc.query_tile_offsets_base + seg_query_tile] + r];
                    value = load_q(((uint(seg_batch) * uint(pc.query_tokens) + uint(token)) * uint(pc.heads) + uint(seg_head)) * uint(HEAD_DIM) + uint(x));
                }
                q_tile[x * Q_STRIDE + r] = value;
            }
        }
        memoryBarrierShared();
        barrier();
        // (m, l, acc) <- (-inf, 0, 0)
        m0 = NEG_INF; l0 = 0.0f; o0_0 = 0.0f;
        // for panel in plan.visits(segment.queryTile)[segment.range], up to PANEL_KEYS keys each:
        for (int next = seg_begin; next < seg_end;) {
            // group visits from `next` while the next one still fits in PANEL_KEYS keys
            int panel_end = next + 1, panel_keys = plan_data[pc.key_tile_offsets_base + plan_data[pc.visits_base + 2 * next] + 1] - plan_data[pc.key_tile_offsets_base + plan_data[pc.visits_base + 2 * next]];
            bool panel_partial = !(plan_data[pc.visits_base + 2 * next + 1] != 0);
            while (panel_end < seg_end) {
                const int more = plan_data[pc.key_tile_offsets_base + plan_data[pc.visits_base + 2 * panel_end] + 1] - plan_data[pc.key_tile_offsets_base + plan_data[pc.visits_base + 2 * panel_end]];
                if (panel_keys + more > PANEL_KEYS) break;
                panel_partial = panel_partial || !(plan_data[pc.visits_base + 2 * panel_end + 1] != 0);
                panel_keys += more;
                panel_end += 1;
            }
            memoryBarrierShared();
            barrier();  // the previous panel's readers of the token lists are done
            for (int v = next, column = 0; v < panel_end; ++v) {
                const int tile = plan_data[pc.visits_base + 2 * v];
                const int count = plan_data[pc.key_tile_offsets_base + tile + 1] - plan_data[pc.key_tile_offsets_base + tile];
                const int masked = plan_data[pc.visits_base + 2 * v + 1] != 0 ? 0 : 1;
                {
                    const int t = 0 * WG_SIZE + lid;
                    if (t < count) {
                        panel_tokens[column + t] = plan_data[pc.key_tile_tokens_base + plan_data[pc.key_tile_offsets_base + tile] + t];
                        panel_masked[column + t] = masked;
                    }
                }
                {
                    const int t = 1 * WG_SIZE + lid;
                    if (t < count) {
                        panel_tokens[column + t] = plan_data[pc.key_tile_tokens_base + plan_data[pc.key_tile_offsets_base + tile] + t];
                        panel_masked[column + t] = masked;
                    }
                }
                column += count;
            }
            memoryBarrierShared();
            barrier();
            // the panel's keys, BLOCK_KEYS at a time; online softmax makes the blocking invisible up to float32 rounding
            for (int first = 0; first < panel_keys; first += BLOCK_KEYS) {
                const int keys = min(BLOCK_KEYS, panel_keys - first);
                // K <- load k[batch, panel.keyTiles, kvHead(head)]: staged HEAD_CHUNK dims at a time inside S <- Q*K^T
                // V <- load v[batch, panel.keyTiles, kvHead(head)]: staged VALUE_KEYS keys at a time inside acc += P*V
                // S <- scale * Q*K^T over the block's keys, in registers
                float s0_0 = 0.0f;
                {
                    memoryBarrierShared();
                    barrier();  // the stage's previous readers are done
                    {
                        const int e = 0 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 1 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 2 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 3 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 4 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 5 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 6 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 7 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 8 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 9 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 10 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 11 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 12 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 13 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 14 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 15 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 16 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 17 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 18 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 19 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 20 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 21 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 22 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 23 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 24 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 25 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 26 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 27 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 28 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 29 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 30 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 31 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 32 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 33 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 34 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 35 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 36 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 37 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 38 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 39 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 40 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 41 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 42 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 43 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 44 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 45 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 46 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 47 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 48 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 49 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 50 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 51 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 52 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 53 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 54 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 55 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 56 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 57 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 58 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 59 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 60 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 61 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 62 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    {
                        const int e = 63 * WG_SIZE + lid;
                        const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                        if (c < BLOCK_KEYS) {
                            float value = 0.0f;
                            if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(0 + x));
                            stage[x * K_STRIDE + c] = value;
                        }
                    }
                    memoryBarrierShared();
                    barrier();
                    for (int x = 0; x < 64; x += 1) {
                        const float q0 = q_tile[(0 + x) * Q_STRIDE + rg + 0];
                        const float k0 = stage[x * K_STRIDE + cg + 0];
                        s0_0 += q0 * k0;
                    }
                }
                s0_0 *= pc.scale;
                // for visit in panel where visit is PARTIAL: S[:, visit] <- -inf where !mask.allows; and keys past the panel
                {
                    const bool outside = cg + 0 >= keys;
                    const bool check = !outside && panel_partial && panel_masked[first + cg + 0] != 0;
                    if (outside || (check && rg + 0 < rows && !varlen_mask_allows(query_rows[rg + 0], panel_tokens[first + cg + 0]))) s0_0 = NEG_INF;
                }
                // (m, l, acc, S) <- online_softmax(m, l, acc, S); a row with every key so far masked keeps l = 0 and P = 0
                row_share[(rg + 0) * KEY_THREADS + cg] = s0_0;
                memoryBarrierShared();
                barrier();
                {
                    float m_new = m0;
                    for (int t = 0; t < 64; t += 1) {
                        m_new = max(m_new, row_share[(rg + 0) * KEY_THREADS + t]);
                    }
                    const float correction = m0 == NEG_INF || m_new == NEG_INF ? (m_new == NEG_INF ? 1.0f : 0.0f) : exp(m0 - m_new);
                    float share = 0.0f;
                    {
                        // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                        const float p = (s0_0 == NEG_INF ? 0.0f : exp(s0_0 - m_new));
                        share += p;
                        p_tile[(rg + 0) * BLOCK_KEYS + cg + 0] = p;
                    }
                    l0 = l0 * correction + share;
                    m0 = m_new;
                    o0_0 *= correction;
                }
                // acc <- acc + P*V over the block's keys, in registers
                {
                    memoryBarrierShared();
                    barrier();  // readers of the stage are done; P is visible after the next
                    {
                        const int e = 0 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 1 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 2 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 3 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 4 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 5 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 6 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 7 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 8 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 9 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 10 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 11 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 12 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 13 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 14 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 15 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 16 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 17 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 18 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 19 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 20 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 21 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 22 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 23 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 24 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 25 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 26 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 27 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 28 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 29 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 30 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 31 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 32 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 33 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 34 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 35 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 36 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 37 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 38 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 39 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 40 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 41 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 42 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 43 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 44 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 45 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 46 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 47 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 48 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 49 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 50 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 51 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 52 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 53 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 54 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 55 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 56 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 57 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 58 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 59 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 60 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 61 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 62 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    {
                        const int e = 63 * WG_SIZE + lid;
                        const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                        if (c < VALUE_KEYS) {
                            float value = 0.0f;
                            if (0 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 0 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                            stage[c * V_STRIDE + x] = value;
                        }
                    }
                    memoryBarrierShared();
                    barrier();
                    for (int c = 0; c < 64; c += 1) {
                        const float v0 = stage[c * V_STRIDE + cg + 0];
                        const float p0 = p_tile[(rg + 0) * BLOCK_KEYS + 0 + c];
                        o0_0 += p0 * v0;
                    }
                }
            }
            next = panel_end;
        }
        // l <- the sum of the row's shares (all were rescaled by the same corrections)
        memoryBarrierShared();
        barrier();
        row_share[(rg + 0) * KEY_THREADS + cg] = l0;
        memoryBarrierShared();
        barrier();
        {
            float total = 0.0f;
            for (int t = 0; t < 64; t += 1) {
                total += row_share[(rg + 0) * KEY_THREADS + t];
            }
            l0 = total;
        }
        // store partial[segment.slot] <- (m, l, acc); a slot has room for MAX_QUERY_ROWS rows
        if (rg + 0 < rows) {
            if (cg == 0) { partial_m_data[seg_slot * MAX_QUERY_ROWS + rg + 0] = m0; partial_l_data[seg_slot * MAX_QUERY_ROWS + rg + 0] = l0; }
            if (cg + 0 < VALUE_DIM) partial_acc_data[(uint(seg_slot) * uint(MAX_QUERY_ROWS) + uint(rg + 0)) * uint(VALUE_DIM) + uint(cg + 0)] = o0_0;
        }
    }
}
