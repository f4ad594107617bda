// AttentionGen: generated GLSL 450 compute shader 1 of 1: attention_flash.
// Regenerate with `attngen emit SPEC.json --target glsl`.
//
// spec:     B1 H4/2 d64/64 q[840] k[840] float16 → float16 out, varlen 4 sequences, window (-1, 0), tiles 64/64, flash
// tiling:   query tile 64 (64 tokens), key tile 64 (64 tokens);
//           14 query tiles, 14 key tiles
// plan:     per (batch, head) 59 visits: 25 FULL (mask-free), 34 PARTIAL (masked per element)
// schedule: flash: one work-group per (batch, head, query tile), online softmax over its visits
// dispatch: attention_flash (56 work-groups of 256)
// this:     vkCmdDispatch(56, 1, 1), local size 256; 31808 bytes of shared memory;
//           at most 3254 loop iterations per invocation (tile loops not unrolled)
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
// Strategy: simt 16x16 invocations, micro-tile 4x2, 32 keys per step, K staged 16 dims at a time, V 8 keys at a time, sharedMemory reduction, rolled tile loops, strided columns
const int HEAD_DIM = 64;        // query/key head dimension
const int VALUE_DIM = 64;       // value head dimension
const int MAX_QUERY_ROWS = 64;  // tokens of the largest query tile
const int MAX_KEY_ROWS = 64;    // tokens of the largest key tile
const int PANEL_KEYS = 64;      // key rows one panel of consecutive visits holds
const int WG_SIZE = 256;        // invocations per work-group
const int TILE_ROWS = 64;       // query rows of a work-group: ROW_THREADS x ROWS_PER_THREAD
const int ROW_THREADS = 16;     // invocations along the rows
const int KEY_THREADS = 16;     // invocations along a block's keys (they share rows)
const int ROWS_PER_THREAD = 4;  // micro-tile rows of S and O per invocation
const int KEYS_PER_THREAD = 2;  // micro-tile keys of S per invocation
const int BLOCK_KEYS = 32;      // keys scored per step: KEY_THREADS x KEYS_PER_THREAD
const int OUT_COLUMNS = 4;      // micro-tile columns of O per invocation
const int HEAD_CHUNK = 16;      // dims of K staged at once
const int VALUE_KEYS = 8;       // keys of V staged at once
const int Q_STRIDE = 65;        // words per dim of the transposed Q tile
const int K_STRIDE = 33;        // words per dim of the transposed K chunk
const int V_STRIDE = 64;        // words per key of the V part
const int STAGE_FLOATS = 528;   // the K/V stage
const int ROW_STEPS = 1;        // steps of a loop over the tile's rows
const int QUERY_STEPS = 16;     // steps of the Q load
const int KEY_TILE_STEPS = 1;   // steps of a key tile's token copy
const int KEY_STEPS = 2;        // steps of a K chunk's load
const int VALUE_STEPS = 2;      // steps of a V part's load

layout(local_size_x = 256) in;

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
    float scale;                  // softmax scale applied to Q*K^T
    int query_tile_offsets_base;  // plan_data offset of query_tile_offsets
    int query_tile_tokens_base;   // plan_data offset of query_tile_tokens
    int key_tile_offsets_base;    // plan_data offset of key_tile_offsets
    int key_tile_tokens_base;     // plan_data offset of key_tile_tokens
    int visit_offsets_base;       // plan_data offset of visit_offsets
    int visits_base;              // plan_data offset of visits
    int mask_table_base;          // plan_data offset of mask_table
} pc;

// ---- Buffers (descriptor set 0; bindings are fixed across the program's shaders) ------------
layout(std430, set = 0, binding = 0) readonly buffer QBuffer { uint q_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer KBuffer { uint k_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer VBuffer { uint v_data[]; };
layout(std430, set = 0, binding = 3) buffer OutputBuffer { uint output_data[]; };
layout(std430, set = 0, binding = 4) writeonly buffer LseBuffer { float lse_data[]; };
layout(std430, set = 0, binding = 5) readonly buffer PlanBuffer { int plan_data[]; };

// ---- Storage: element `index` of a tensor, widened to float32 -----------------------------------
// float16 storage read without optional device features: two elements per uint word, the
// even element in the low half (little-endian), widened exactly by unpackHalf2x16.
float load_q(uint index) { return unpackHalf2x16(q_data[index >> 1u])[index & 1u]; }
float load_k(uint index) { return unpackHalf2x16(k_data[index >> 1u])[index & 1u]; }
float load_v(uint index) { return unpackHalf2x16(v_data[index >> 1u])[index & 1u]; }

// ---- Output: float16, narrowed from float32 ------------------------------------------------------------
/* float32 -> float16 bits, round to nearest even; NaN stays NaN, 65520 and up become infinity. */
uint narrow_output(float value) {
    const uint bits = floatBitsToUint(value), sign = (bits >> 16) & 0x8000u, magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u) return sign | 0x7e00u;
    if (magnitude >= 0x477ff000u) return sign | 0x7c00u;
    /* below 2^-14: a subnormal half, a multiple of 2^-24 (the product is exact) */
    if (magnitude < 0x38800000u) return sign | uint(roundEven(uintBitsToFloat(magnitude) * 16777216.0f));
    /* rebias the exponent from 127 to 15 and round the 13 dropped bits to nearest even */
    return sign | ((magnitude + 0xc8000fffu + ((magnitude >> 13) & 1u)) >> 13);
}
/* Element `index` is the low (even) or high (odd) half of word index / 2; the other half
   belongs to another invocation, so each half is cleared and set atomically. */
void store_output(uint index, float value) {
    const uint shift = (index & 1u) * 16u;
    atomicAnd(output_data[index >> 1u], ~(0xffffu << shift));
    atomicOr(output_data[index >> 1u], narrow_output(value) << shift);
}

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

// ---- Kernel attention_flash ---------------------------------------------------------------------
void main() {
    const int group = int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x);
    if (group >= pc.batch * pc.heads * pc.query_tiles) return;  // padding of the folded (x, y) dispatch; uniform per work-group

    const int lid = int(gl_LocalInvocationID.x);
    const int rg = lid / KEY_THREADS, cg = lid % KEY_THREADS;  // this invocation's row and key group
    // O micro-tile: o<i>_<j> holds row rg + i*ROW_THREADS, column cg + j*KEY_THREADS
    float o0_0, o0_1, o0_2, o0_3, o1_0, o1_1, o1_2, o1_3, o2_0, o2_1, o2_2, o2_3, o3_0, o3_1, o3_2, o3_3;
    // running max and this invocation's share of the row sum, per micro-tile row
    float m0, l0, m1, l1, m2, l2, m3, l3;

    // for segment in workgroup.segments: flash has one, the work-group's output tile with all its visits
    const int seg_batch = group / (pc.query_tiles * pc.heads), seg_head = (group / pc.query_tiles) % pc.heads, seg_query_tile = group % pc.query_tiles;
    const int seg_begin = plan_data[pc.visit_offsets_base + seg_query_tile], seg_end = plan_data[pc.visit_offsets_base + seg_query_tile + 1], seg_slot = 0;
    const int rows = plan_data[pc.query_tile_offsets_base + seg_query_tile + 1] - plan_data[pc.query_tile_offsets_base + seg_query_tile];
    const int kv_head = seg_head / (pc.heads / pc.kv_heads);  // GQA: query head h reads kv head h / (heads / kv_heads)
    // Q <- load q[batch, segment.queryTile, head], transposed; rows past the tile are zero
    {
        const int r = 0 * WG_SIZE + lid;
        if (r < TILE_ROWS) query_rows[r] = r < rows ? plan_data[pc.query_tile_tokens_base + plan_data[pc.query_tile_offsets_base + seg_query_tile] + r] : 0;
    }
    for (int step = 0; step < 16; step += 1) {
        const int e = step * WG_SIZE + lid;
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
    m0 = NEG_INF; l0 = 0.0f; o0_0 = 0.0f; o0_1 = 0.0f; o0_2 = 0.0f; o0_3 = 0.0f;
    m1 = NEG_INF; l1 = 0.0f; o1_0 = 0.0f; o1_1 = 0.0f; o1_2 = 0.0f; o1_3 = 0.0f;
    m2 = NEG_INF; l2 = 0.0f; o2_0 = 0.0f; o2_1 = 0.0f; o2_2 = 0.0f; o2_3 = 0.0f;
    m3 = NEG_INF; l3 = 0.0f; o3_0 = 0.0f; o3_1 = 0.0f; o3_2 = 0.0f; o3_3 = 0.0f;
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
            float s0_0 = 0.0f, s0_1 = 0.0f, s1_0 = 0.0f, s1_1 = 0.0f, s2_0 = 0.0f, s2_1 = 0.0f, s3_0 = 0.0f, s3_1 = 0.0f;
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
                memoryBarrierShared();
                barrier();
                for (int x = 0; x < 16; x += 1) {
                    const float q0 = q_tile[(0 + x) * Q_STRIDE + rg + 0];
                    const float q1 = q_tile[(0 + x) * Q_STRIDE + rg + 16];
                    const float q2 = q_tile[(0 + x) * Q_STRIDE + rg + 32];
                    const float q3 = q_tile[(0 + x) * Q_STRIDE + rg + 48];
                    const float k0 = stage[x * K_STRIDE + cg + 0];
                    const float k1 = stage[x * K_STRIDE + cg + 16];
                    s0_0 += q0 * k0; s0_1 += q0 * k1;
                    s1_0 += q1 * k0; s1_1 += q1 * k1;
                    s2_0 += q2 * k0; s2_1 += q2 * k1;
                    s3_0 += q3 * k0; s3_1 += q3 * k1;
                }
            }
            {
                memoryBarrierShared();
                barrier();  // the stage's previous readers are done
                {
                    const int e = 0 * WG_SIZE + lid;
                    const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                    if (c < BLOCK_KEYS) {
                        float value = 0.0f;
                        if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(16 + x));
                        stage[x * K_STRIDE + c] = value;
                    }
                }
                {
                    const int e = 1 * WG_SIZE + lid;
                    const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                    if (c < BLOCK_KEYS) {
                        float value = 0.0f;
                        if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(16 + x));
                        stage[x * K_STRIDE + c] = value;
                    }
                }
                memoryBarrierShared();
                barrier();
                for (int x = 0; x < 16; x += 1) {
                    const float q0 = q_tile[(16 + x) * Q_STRIDE + rg + 0];
                    const float q1 = q_tile[(16 + x) * Q_STRIDE + rg + 16];
                    const float q2 = q_tile[(16 + x) * Q_STRIDE + rg + 32];
                    const float q3 = q_tile[(16 + x) * Q_STRIDE + rg + 48];
                    const float k0 = stage[x * K_STRIDE + cg + 0];
                    const float k1 = stage[x * K_STRIDE + cg + 16];
                    s0_0 += q0 * k0; s0_1 += q0 * k1;
                    s1_0 += q1 * k0; s1_1 += q1 * k1;
                    s2_0 += q2 * k0; s2_1 += q2 * k1;
                    s3_0 += q3 * k0; s3_1 += q3 * k1;
                }
            }
            {
                memoryBarrierShared();
                barrier();  // the stage's previous readers are done
                {
                    const int e = 0 * WG_SIZE + lid;
                    const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                    if (c < BLOCK_KEYS) {
                        float value = 0.0f;
                        if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(32 + x));
                        stage[x * K_STRIDE + c] = value;
                    }
                }
                {
                    const int e = 1 * WG_SIZE + lid;
                    const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                    if (c < BLOCK_KEYS) {
                        float value = 0.0f;
                        if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(32 + x));
                        stage[x * K_STRIDE + c] = value;
                    }
                }
                memoryBarrierShared();
                barrier();
                for (int x = 0; x < 16; x += 1) {
                    const float q0 = q_tile[(32 + x) * Q_STRIDE + rg + 0];
                    const float q1 = q_tile[(32 + x) * Q_STRIDE + rg + 16];
                    const float q2 = q_tile[(32 + x) * Q_STRIDE + rg + 32];
                    const float q3 = q_tile[(32 + x) * Q_STRIDE + rg + 48];
                    const float k0 = stage[x * K_STRIDE + cg + 0];
                    const float k1 = stage[x * K_STRIDE + cg + 16];
                    s0_0 += q0 * k0; s0_1 += q0 * k1;
                    s1_0 += q1 * k0; s1_1 += q1 * k1;
                    s2_0 += q2 * k0; s2_1 += q2 * k1;
                    s3_0 += q3 * k0; s3_1 += q3 * k1;
                }
            }
            {
                memoryBarrierShared();
                barrier();  // the stage's previous readers are done
                {
                    const int e = 0 * WG_SIZE + lid;
                    const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                    if (c < BLOCK_KEYS) {
                        float value = 0.0f;
                        if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(48 + x));
                        stage[x * K_STRIDE + c] = value;
                    }
                }
                {
                    const int e = 1 * WG_SIZE + lid;
                    const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                    if (c < BLOCK_KEYS) {
                        float value = 0.0f;
                        if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(48 + x));
                        stage[x * K_STRIDE + c] = value;
                    }
                }
                memoryBarrierShared();
                barrier();
                for (int x = 0; x < 16; x += 1) {
                    const float q0 = q_tile[(48 + x) * Q_STRIDE + rg + 0];
                    const float q1 = q_tile[(48 + x) * Q_STRIDE + rg + 16];
                    const float q2 = q_tile[(48 + x) * Q_STRIDE + rg + 32];
                    const float q3 = q_tile[(48 + x) * Q_STRIDE + rg + 48];
                    const float k0 = stage[x * K_STRIDE + cg + 0];
                    const float k1 = stage[x * K_STRIDE + cg + 16];
                    s0_0 += q0 * k0; s0_1 += q0 * k1;
                    s1_0 += q1 * k0; s1_1 += q1 * k1;
                    s2_0 += q2 * k0; s2_1 += q2 * k1;
                    s3_0 += q3 * k0; s3_1 += q3 * k1;
                }
            }
            s0_0 *= pc.scale; s0_1 *= pc.scale;
            s1_0 *= pc.scale; s1_1 *= pc.scale;
            s2_0 *= pc.scale; s2_1 *= pc.scale;
            s3_0 *= pc.scale; s3_1 *= pc.scale;
            // for visit in panel where visit is PARTIAL: S[:, visit] <- -inf where !mask.allows; and keys past the panel
            {
                const bool outside = cg + 0 >= keys;
                const bool check = !outside && panel_partial && panel_masked[first + cg + 0] != 0;
                if (outside || (check && rg + 0 < rows && !varlen_mask_allows(query_rows[rg + 0], panel_tokens[first + cg + 0]))) s0_0 = NEG_INF;
                if (outside || (check && rg + 16 < rows && !varlen_mask_allows(query_rows[rg + 16], panel_tokens[first + cg + 0]))) s1_0 = NEG_INF;
                if (outside || (check && rg + 32 < rows && !varlen_mask_allows(query_rows[rg + 32], panel_tokens[first + cg + 0]))) s2_0 = NEG_INF;
                if (outside || (check && rg + 48 < rows && !varlen_mask_allows(query_rows[rg + 48], panel_tokens[first + cg + 0]))) s3_0 = NEG_INF;
            }
            {
                const bool outside = cg + 16 >= keys;
                const bool check = !outside && panel_partial && panel_masked[first + cg + 16] != 0;
                if (outside || (check && rg + 0 < rows && !varlen_mask_allows(query_rows[rg + 0], panel_tokens[first + cg + 16]))) s0_1 = NEG_INF;
                if (outside || (check && rg + 16 < rows && !varlen_mask_allows(query_rows[rg + 16], panel_tokens[first + cg + 16]))) s1_1 = NEG_INF;
                if (outside || (check && rg + 32 < rows && !varlen_mask_allows(query_rows[rg + 32], panel_tokens[first + cg + 16]))) s2_1 = NEG_INF;
                if (outside || (check && rg + 48 < rows && !varlen_mask_allows(query_rows[rg + 48], panel_tokens[first + cg + 16]))) s3_1 = NEG_INF;
            }
            // (m, l, acc, S) <- online_softmax(m, l, acc, S); a row with every key so far masked keeps l = 0 and P = 0
            row_share[(rg + 0) * KEY_THREADS + cg] = max(s0_0, s0_1);
            row_share[(rg + 16) * KEY_THREADS + cg] = max(s1_0, s1_1);
            row_share[(rg + 32) * KEY_THREADS + cg] = max(s2_0, s2_1);
            row_share[(rg + 48) * KEY_THREADS + cg] = max(s3_0, s3_1);
            memoryBarrierShared();
            barrier();
            {
                float m_new = m0;
                for (int t = 0; t < 16; t += 1) {
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
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s0_1 == NEG_INF ? 0.0f : exp(s0_1 - m_new));
                    share += p;
                    p_tile[(rg + 0) * BLOCK_KEYS + cg + 16] = p;
                }
                l0 = l0 * correction + share;
                m0 = m_new;
                o0_0 *= correction; o0_1 *= correction; o0_2 *= correction; o0_3 *= correction;
            }
            {
                float m_new = m1;
                for (int t = 0; t < 16; t += 1) {
                    m_new = max(m_new, row_share[(rg + 16) * KEY_THREADS + t]);
                }
                const float correction = m1 == NEG_INF || m_new == NEG_INF ? (m_new == NEG_INF ? 1.0f : 0.0f) : exp(m1 - m_new);
                float share = 0.0f;
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s1_0 == NEG_INF ? 0.0f : exp(s1_0 - m_new));
                    share += p;
                    p_tile[(rg + 16) * BLOCK_KEYS + cg + 0] = p;
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s1_1 == NEG_INF ? 0.0f : exp(s1_1 - m_new));
                    share += p;
                    p_tile[(rg + 16) * BLOCK_KEYS + cg + 16] = p;
                }
                l1 = l1 * correction + share;
                m1 = m_new;
                o1_0 *= correction; o1_1 *= correction; o1_2 *= correction; o1_3 *= correction;
            }
            {
                float m_new = m2;
                for (int t = 0; t < 16; t += 1) {
                    m_new = max(m_new, row_share[(rg + 32) * KEY_THREADS + t]);
                }
                const float correction = m2 == NEG_INF || m_new == NEG_INF ? (m_new == NEG_INF ? 1.0f : 0.0f) : exp(m2 - m_new);
                float share = 0.0f;
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s2_0 == NEG_INF ? 0.0f : exp(s2_0 - m_new));
                    share += p;
                    p_tile[(rg + 32) * BLOCK_KEYS + cg + 0] = p;
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s2_1 == NEG_INF ? 0.0f : exp(s2_1 - m_new));
                    share += p;
                    p_tile[(rg + 32) * BLOCK_KEYS + cg + 16] = p;
                }
                l2 = l2 * correction + share;
                m2 = m_new;
                o2_0 *= correction; o2_1 *= correction; o2_2 *= correction; o2_3 *= correction;
            }
            {
                float m_new = m3;
                for (int t = 0; t < 16; t += 1) {
                    m_new = max(m_new, row_share[(rg + 48) * KEY_THREADS + t]);
                }
                const float correction = m3 == NEG_INF || m_new == NEG_INF ? (m_new == NEG_INF ? 1.0f : 0.0f) : exp(m3 - m_new);
                float share = 0.0f;
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s3_0 == NEG_INF ? 0.0f : exp(s3_0 - m_new));
                    share += p;
                    p_tile[(rg + 48) * BLOCK_KEYS + cg + 0] = p;
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s3_1 == NEG_INF ? 0.0f : exp(s3_1 - m_new));
                    share += p;
                    p_tile[(rg + 48) * BLOCK_KEYS + cg + 16] = p;
                }
                l3 = l3 * correction + share;
                m3 = m_new;
                o3_0 *= correction; o3_1 *= correction; o3_2 *= correction; o3_3 *= correction;
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
                memoryBarrierShared();
                barrier();
                for (int c = 0; c < 8; c += 1) {
                    const float v0 = stage[c * V_STRIDE + cg + 0];
                    const float v1 = stage[c * V_STRIDE + cg + 16];
                    const float v2 = stage[c * V_STRIDE + cg + 32];
                    const float v3 = stage[c * V_STRIDE + cg + 48];
                    const float p0 = p_tile[(rg + 0) * BLOCK_KEYS + 0 + c];
                    const float p1 = p_tile[(rg + 16) * BLOCK_KEYS + 0 + c];
                    const float p2 = p_tile[(rg + 32) * BLOCK_KEYS + 0 + c];
                    const float p3 = p_tile[(rg + 48) * BLOCK_KEYS + 0 + c];
                    o0_0 += p0 * v0; o0_1 += p0 * v1; o0_2 += p0 * v2; o0_3 += p0 * v3;
                    o1_0 += p1 * v0; o1_1 += p1 * v1; o1_2 += p1 * v2; o1_3 += p1 * v3;
                    o2_0 += p2 * v0; o2_1 += p2 * v1; o2_2 += p2 * v2; o2_3 += p2 * v3;
                    o3_0 += p3 * v0; o3_1 += p3 * v1; o3_2 += p3 * v2; o3_3 += p3 * v3;
                }
            }
            {
                memoryBarrierShared();
                barrier();  // readers of the stage are done; P is visible after the next
                {
                    const int e = 0 * WG_SIZE + lid;
                    const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                    if (c < VALUE_KEYS) {
                        float value = 0.0f;
                        if (8 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 8 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                        stage[c * V_STRIDE + x] = value;
                    }
                }
                {
                    const int e = 1 * WG_SIZE + lid;
                    const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                    if (c < VALUE_KEYS) {
                        float value = 0.0f;
                        if (8 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 8 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                        stage[c * V_STRIDE + x] = value;
                    }
                }
                memoryBarrierShared();
                barrier();
                for (int c = 0; c < 8; c += 1) {
                    const float v0 = stage[c * V_STRIDE + cg + 0];
                    const float v1 = stage[c * V_STRIDE + cg + 16];
                    const float v2 = stage[c * V_STRIDE + cg + 32];
                    const float v3 = stage[c * V_STRIDE + cg + 48];
                    const float p0 = p_tile[(rg + 0) * BLOCK_KEYS + 8 + c];
                    const float p1 = p_tile[(rg + 16) * BLOCK_KEYS + 8 + c];
                    const float p2 = p_tile[(rg + 32) * BLOCK_KEYS + 8 + c];
                    const float p3 = p_tile[(rg + 48) * BLOCK_KEYS + 8 + c];
                    o0_0 += p0 * v0; o0_1 += p0 * v1; o0_2 += p0 * v2; o0_3 += p0 * v3;
                    o1_0 += p1 * v0; o1_1 += p1 * v1; o1_2 += p1 * v2; o1_3 += p1 * v3;
                    o2_0 += p2 * v0; o2_1 += p2 * v1; o2_2 += p2 * v2; o2_3 += p2 * v3;
                    o3_0 += p3 * v0; o3_1 += p3 * v1; o3_2 += p3 * v2; o3_3 += p3 * v3;
                }
            }
            {
                memoryBarrierShared();
                barrier();  // readers of the stage are done; P is visible after the next
                {
                    const int e = 0 * WG_SIZE + lid;
                    const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                    if (c < VALUE_KEYS) {
                        float value = 0.0f;
                        if (16 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 16 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                        stage[c * V_STRIDE + x] = value;
                    }
                }
                {
                    const int e = 1 * WG_SIZE + lid;
                    const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                    if (c < VALUE_KEYS) {
                        float value = 0.0f;
                        if (16 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 16 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                        stage[c * V_STRIDE + x] = value;
                    }
                }
                memoryBarrierShared();
                barrier();
                for (int c = 0; c < 8; c += 1) {
                    const float v0 = stage[c * V_STRIDE + cg + 0];
                    const float v1 = stage[c * V_STRIDE + cg + 16];
                    const float v2 = stage[c * V_STRIDE + cg + 32];
                    const float v3 = stage[c * V_STRIDE + cg + 48];
                    const float p0 = p_tile[(rg + 0) * BLOCK_KEYS + 16 + c];
                    const float p1 = p_tile[(rg + 16) * BLOCK_KEYS + 16 + c];
                    const float p2 = p_tile[(rg + 32) * BLOCK_KEYS + 16 + c];
                    const float p3 = p_tile[(rg + 48) * BLOCK_KEYS + 16 + c];
                    o0_0 += p0 * v0; o0_1 += p0 * v1; o0_2 += p0 * v2; o0_3 += p0 * v3;
                    o1_0 += p1 * v0; o1_1 += p1 * v1; o1_2 += p1 * v2; o1_3 += p1 * v3;
                    o2_0 += p2 * v0; o2_1 += p2 * v1; o2_2 += p2 * v2; o2_3 += p2 * v3;
                    o3_0 += p3 * v0; o3_1 += p3 * v1; o3_2 += p3 * v2; o3_3 += p3 * v3;
                }
            }
            {
                memoryBarrierShared();
                barrier();  // readers of the stage are done; P is visible after the next
                {
                    const int e = 0 * WG_SIZE + lid;
                    const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                    if (c < VALUE_KEYS) {
                        float value = 0.0f;
                        if (24 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 24 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                        stage[c * V_STRIDE + x] = value;
                    }
                }
                {
                    const int e = 1 * WG_SIZE + lid;
                    const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                    if (c < VALUE_KEYS) {
                        float value = 0.0f;
                        if (24 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 24 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                        stage[c * V_STRIDE + x] = value;
                    }
                }
                memoryBarrierShared();
                barrier();
                for (int c = 0; c < 8; c += 1) {
                    const float v0 = stage[c * V_STRIDE + cg + 0];
                    const float v1 = stage[c * V_STRIDE + cg + 16];
                    const float v2 = stage[c * V_STRIDE + cg + 32];
                    const float v3 = stage[c * V_STRIDE + cg + 48];
                    const float p0 = p_tile[(rg + 0) * BLOCK_KEYS + 24 + c];
                    const float p1 = p_tile[(rg + 16) * BLOCK_KEYS + 24 + c];
                    const float p2 = p_tile[(rg + 32) * BLOCK_KEYS + 24 + c];
                    const float p3 = p_tile[(rg + 48) * BLOCK_KEYS + 24 + c];
                    o0_0 += p0 * v0; o0_1 += p0 * v1; o0_2 += p0 * v2; o0_3 += p0 * v3;
                    o1_0 += p1 * v0; o1_1 += p1 * v1; o1_2 += p1 * v2; o1_3 += p1 * v3;
                    o2_0 += p2 * v0; o2_1 += p2 * v1; o2_2 += p2 * v2; o2_3 += p2 * v3;
                    o3_0 += p3 * v0; o3_1 += p3 * v1; o3_2 += p3 * v2; o3_3 += p3 * v3;
                }
            }
        }
        next = panel_end;
    }
    // l <- the sum of the row's shares (all were rescaled by the same corrections)
    memoryBarrierShared();
    barrier();
    row_share[(rg + 0) * KEY_THREADS + cg] = l0;
    row_share[(rg + 16) * KEY_THREADS + cg] = l1;
    row_share[(rg + 32) * KEY_THREADS + cg] = l2;
    row_share[(rg + 48) * KEY_THREADS + cg] = l3;
    memoryBarrierShared();
    barrier();
    {
        float total = 0.0f;
        for (int t = 0; t < 16; t += 1) {
            total += row_share[(rg + 0) * KEY_THREADS + t];
        }
        l0 = total;
    }
    {
        float total = 0.0f;
        for (int t = 0; t < 16; t += 1) {
            total += row_share[(rg + 16) * KEY_THREADS + t];
        }
        l1 = total;
    }
    {
        float total = 0.0f;
        for (int t = 0; t < 16; t += 1) {
            total += row_share[(rg + 32) * KEY_THREADS + t];
        }
        l2 = total;
    }
    {
        float total = 0.0f;
        for (int t = 0; t < 16; t += 1) {
            total += row_share[(rg + 48) * KEY_THREADS + t];
        }
        l3 = total;
    }
    // store out <- acc / l, lse <- m + log l (0, -inf where l = 0)
    if (rg + 0 < rows) {
        const uint row = ((uint(seg_batch) * uint(pc.query_tokens) + uint(query_rows[rg + 0])) * uint(pc.heads) + uint(seg_head));
        if (cg + 0 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 0)), (l0 == 0.0f ? 0.0f : o0_0 / l0));
        if (cg + 16 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 16)), (l0 == 0.0f ? 0.0f : o0_1 / l0));
        if (cg + 32 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 32)), (l0 == 0.0f ? 0.0f : o0_2 / l0));
        if (cg + 48 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 48)), (l0 == 0.0f ? 0.0f : o0_3 / l0));
        if (cg == 0) lse_data[row] = l0 == 0.0f ? NEG_INF : m0 + log(l0);
    }
    if (rg + 16 < rows) {
        const uint row = ((uint(seg_batch) * uint(pc.query_tokens) + uint(query_rows[rg + 16])) * uint(pc.heads) + uint(seg_head));
        if (cg + 0 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 0)), (l1 == 0.0f ? 0.0f : o1_0 / l1));
        if (cg + 16 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 16)), (l1 == 0.0f ? 0.0f : o1_1 / l1));
        if (cg + 32 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 32)), (l1 == 0.0f ? 0.0f : o1_2 / l1));
        if (cg + 48 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 48)), (l1 == 0.0f ? 0.0f : o1_3 / l1));
        if (cg == 0) lse_data[row] = l1 == 0.0f ? NEG_INF : m1 + log(l1);
    }
    if (rg + 32 < rows) {
        const uint row = ((uint(seg_batch) * uint(pc.query_tokens) + uint(query_rows[rg + 32])) * uint(pc.heads) + uint(seg_head));
        if (cg + 0 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 0)), (l2 == 0.0f ? 0.0f : o2_0 / l2));
        if (cg + 16 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 16)), (l2 == 0.0f ? 0.0f : o2_1 / l2));
        if (cg + 32 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 32)), (l2 == 0.0f ? 0.0f : o2_2 / l2));
        if (cg + 48 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 48)), (l2 == 0.0f ? 0.0f : o2_3 / l2));
        if (cg == 0) lse_data[row] = l2 == 0.0f ? NEG_INF : m2 + log(l2);
    }
    if (rg + 48 < rows) {
        const uint row = ((uint(seg_batch) * uint(pc.query_tokens) + uint(query_rows[rg + 48])) * uint(pc.heads) + uint(seg_head));
        if (cg + 0 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 0)), (l3 == 0.0f ? 0.0f : o3_0 / l3));
        if (cg + 16 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 16)), (l3 == 0.0f ? 0.0f : o3_1 / l3));
        if (cg + 32 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 32)), (l3 == 0.0f ? 0.0f : o3_2 / l3));
        if (cg + 48 < VALUE_DIM) store_output(uint(row * uint(VALUE_DIM) + uint(cg + 48)), (l3 == 0.0f ? 0.0f : o3_3 / l3));
        if (cg == 0) lse_data[row] = l3 == 0.0f ? NEG_INF : m3 + log(l3);
    }
}
