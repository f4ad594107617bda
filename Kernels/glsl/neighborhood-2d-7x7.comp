// AttentionGen: generated GLSL 450 compute shader 1 of 1: attention_flash.
// Regenerate with `attngen emit SPEC.json --target glsl`.
//
// spec:     B1 H4/4 d32/32 q[56x56] k[56x56] float32, neighborhood window 7x7 stride 1x1 dilation 1x1 causal 00, tiles 8x8/8x8, flash
// tiling:   query tile 8x8 (64 tokens), key tile 8x8 (64 tokens);
//           49 query tiles, 49 key tiles
// plan:     per (batch, head) 361 visits: 0 FULL (mask-free), 361 PARTIAL (masked per element)
// schedule: flash: one work-group per (batch, head, query tile), online softmax over its visits
// dispatch: attention_flash (196 work-groups of 256)
// this:     vkCmdDispatch(196, 1, 1), local size 256; 31648 bytes of shared memory;
//           at most 1689 loop iterations per invocation (tile loops not unrolled)
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
// Strategy: simt 16x16 invocations, micro-tile 4x4, 64 keys per step, K staged 8 dims at a time, V 16 keys at a time, sharedMemory reduction, rolled tile loops, strided columns
const int HEAD_DIM = 32;        // query/key head dimension
const int VALUE_DIM = 32;       // value head dimension
const int MAX_QUERY_ROWS = 64;  // tokens of the largest query tile
const int MAX_KEY_ROWS = 64;    // tokens of the largest key tile
const int PANEL_KEYS = 64;      // key rows one panel of consecutive visits holds
const int WG_SIZE = 256;        // invocations per work-group
const int TILE_ROWS = 64;       // query rows of a work-group: ROW_THREADS x ROWS_PER_THREAD
const int ROW_THREADS = 16;     // invocations along the rows
const int KEY_THREADS = 16;     // invocations along a block's keys (they share rows)
const int ROWS_PER_THREAD = 4;  // micro-tile rows of S and O per invocation
const int KEYS_PER_THREAD = 4;  // micro-tile keys of S per invocation
const int BLOCK_KEYS = 64;      // keys scored per step: KEY_THREADS x KEYS_PER_THREAD
const int OUT_COLUMNS = 2;      // micro-tile columns of O per invocation
const int HEAD_CHUNK = 8;       // dims of K staged at once
const int VALUE_KEYS = 16;      // keys of V staged at once
const int Q_STRIDE = 65;        // words per dim of the transposed Q tile
const int K_STRIDE = 65;        // words per dim of the transposed K chunk
const int V_STRIDE = 32;        // words per key of the V part
const int STAGE_FLOATS = 520;   // the K/V stage
const int ROW_STEPS = 1;        // steps of a loop over the tile's rows
const int QUERY_STEPS = 8;      // steps of the Q load
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
    int grid_0;                   // mask: tokens of the grid on axis 0
    int grid_1;                   // mask: tokens of the grid on axis 1
    int query_tile_offsets_base;  // plan_data offset of query_tile_offsets
    int query_tile_tokens_base;   // plan_data offset of query_tile_tokens
    int key_tile_offsets_base;    // plan_data offset of key_tile_offsets
    int key_tile_tokens_base;     // plan_data offset of key_tile_tokens
    int visit_offsets_base;       // plan_data offset of visit_offsets
    int visits_base;              // plan_data offset of visits
} pc;

// ---- Buffers (descriptor set 0; bindings are fixed across the program's shaders) ------------
layout(std430, set = 0, binding = 0) readonly buffer QBuffer { float q_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer KBuffer { float k_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer VBuffer { float v_data[]; };
layout(std430, set = 0, binding = 3) writeonly buffer OutputBuffer { float output_data[]; };
layout(std430, set = 0, binding = 4) writeonly buffer LseBuffer { float lse_data[]; };
layout(std430, set = 0, binding = 5) readonly buffer PlanBuffer { int plan_data[]; };

// ---- Storage: element `index` of a tensor, widened to float32 -----------------------------------
// float32 storage.
float load_q(uint index) { return q_data[index]; }
float load_k(uint index) { return k_data[index]; }
float load_v(uint index) { return v_data[index]; }

// ---- Mask predicate ------------------------------------------------------------------------------
// Mask parameters, from the spec.
layout(constant_id = 0) const int NA_WINDOW_0 = 7;  // axis 0: window K
layout(constant_id = 1) const int NA_STRIDE_0 = 1;  // axis 0: stride S
layout(constant_id = 2) const int NA_DILATION_0 = 1;  // axis 0: dilation D
layout(constant_id = 3) const bool NA_CAUSAL_0 = false;  // axis 0: causal
layout(constant_id = 4) const int NA_WINDOW_1 = 7;  // axis 1: window K
layout(constant_id = 5) const int NA_STRIDE_1 = 1;  // axis 1: stride S
layout(constant_id = 6) const int NA_DILATION_1 = 1;  // axis 1: dilation D
layout(constant_id = 7) const bool NA_CAUSAL_1 = false;  // axis 1: causal

// One axis of the neighborhood mask, as NeighborhoodAxis.keyWindow + allows: does query
// coordinate i see key coordinate j on an axis of `length` tokens? Dilation first (token x is
// in group x mod D at local coordinate x div D); then, in local coordinates of a group of n
// tokens, non-causal: the stride group's leader min((i div S)*S + S div 2, n - 1), its centre
// clamped to [wl, n - 1 - wr], keys centre - wl .. centre + wr (shifted inward at the borders,
// never clipped); causal: leader min((i div S)*S + S - 1, n - 1), keys max(leader - K + 1, 0) .. i.
bool neighborhood_axis_allows(int i, int j, int length, int window, int stride, int dilation, bool causal) {
    if (i % dilation != j % dilation) return false;
    const int group = i % dilation;
    const int local_i = i / dilation;
    const int group_length = (length - group + dilation - 1) / dilation;
    int lo, hi;
    if (causal) {
        const int leader = min((local_i / stride) * stride + stride - 1, group_length - 1);
        lo = max(leader - window + 1, 0);
        hi = local_i;
    } else {
        const int wl = window / 2;
        const int wr = window - 1 - wl;
        const int leader = min((local_i / stride) * stride + stride / 2, group_length - 1);
        const int centre = min(max(leader, wl), group_length - 1 - wr);
        lo = centre - wl;
        hi = centre + wr;
    }
    return j >= lo * dilation + group && j <= hi * dilation + group;
}

// The neighborhood mask: the AND of the per-axis masks on the tokens' grid coordinates
// (query grid = key grid, grid_<axis> tokens per axis).
bool neighborhood_mask_allows(int query, int key) {
    int q = query, k = key;
    const int q1 = q % pc.grid_1, k1 = k % pc.grid_1;
    q /= pc.grid_1;
    k /= pc.grid_1;
    const int q0 = q, k0 = k;
    return neighborhood_axis_allows(q0, k0, pc.grid_0, NA_WINDOW_0, NA_STRIDE_0, NA_DILATION_0, NA_CAUSAL_0)
        && neighborhood_axis_allows(q1, k1, pc.grid_1, NA_WINDOW_1, NA_STRIDE_1, NA_DILATION_1, NA_CAUSAL_1);
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
    float o0_0, o0_1, o1_0, o1_1, o2_0, o2_1, o3_0, o3_1;
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
    for (int step = 0; step < 8; step += 1) {
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
    m0 = NEG_INF; l0 = 0.0f; o0_0 = 0.0f; o0_1 = 0.0f;
    m1 = NEG_INF; l1 = 0.0f; o1_0 = 0.0f; o1_1 = 0.0f;
    m2 = NEG_INF; l2 = 0.0f; o2_0 = 0.0f; o2_1 = 0.0f;
    m3 = NEG_INF; l3 = 0.0f; o3_0 = 0.0f; o3_1 = 0.0f;
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
            float s0_0 = 0.0f, s0_1 = 0.0f, s0_2 = 0.0f, s0_3 = 0.0f, s1_0 = 0.0f, s1_1 = 0.0f, s1_2 = 0.0f, s1_3 = 0.0f, s2_0 = 0.0f, s2_1 = 0.0f, s2_2 = 0.0f, s2_3 = 0.0f, s3_0 = 0.0f, s3_1 = 0.0f, s3_2 = 0.0f, s3_3 = 0.0f;
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
                for (int x = 0; x < 8; x += 1) {
                    const float q0 = q_tile[(0 + x) * Q_STRIDE + rg + 0];
                    const float q1 = q_tile[(0 + x) * Q_STRIDE + rg + 16];
                    const float q2 = q_tile[(0 + x) * Q_STRIDE + rg + 32];
                    const float q3 = q_tile[(0 + x) * Q_STRIDE + rg + 48];
                    const float k0 = stage[x * K_STRIDE + cg + 0];
                    const float k1 = stage[x * K_STRIDE + cg + 16];
                    const float k2 = stage[x * K_STRIDE + cg + 32];
                    const float k3 = stage[x * K_STRIDE + cg + 48];
                    s0_0 += q0 * k0; s0_1 += q0 * k1; s0_2 += q0 * k2; s0_3 += q0 * k3;
                    s1_0 += q1 * k0; s1_1 += q1 * k1; s1_2 += q1 * k2; s1_3 += q1 * k3;
                    s2_0 += q2 * k0; s2_1 += q2 * k1; s2_2 += q2 * k2; s2_3 += q2 * k3;
                    s3_0 += q3 * k0; s3_1 += q3 * k1; s3_2 += q3 * k2; s3_3 += q3 * k3;
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
                        if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(8 + x));
                        stage[x * K_STRIDE + c] = value;
                    }
                }
                {
                    const int e = 1 * WG_SIZE + lid;
                    const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                    if (c < BLOCK_KEYS) {
                        float value = 0.0f;
                        if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(8 + x));
                        stage[x * K_STRIDE + c] = value;
                    }
                }
                memoryBarrierShared();
                barrier();
                for (int x = 0; x < 8; x += 1) {
                    const float q0 = q_tile[(8 + x) * Q_STRIDE + rg + 0];
                    const float q1 = q_tile[(8 + x) * Q_STRIDE + rg + 16];
                    const float q2 = q_tile[(8 + x) * Q_STRIDE + rg + 32];
                    const float q3 = q_tile[(8 + x) * Q_STRIDE + rg + 48];
                    const float k0 = stage[x * K_STRIDE + cg + 0];
                    const float k1 = stage[x * K_STRIDE + cg + 16];
                    const float k2 = stage[x * K_STRIDE + cg + 32];
                    const float k3 = stage[x * K_STRIDE + cg + 48];
                    s0_0 += q0 * k0; s0_1 += q0 * k1; s0_2 += q0 * k2; s0_3 += q0 * k3;
                    s1_0 += q1 * k0; s1_1 += q1 * k1; s1_2 += q1 * k2; s1_3 += q1 * k3;
                    s2_0 += q2 * k0; s2_1 += q2 * k1; s2_2 += q2 * k2; s2_3 += q2 * k3;
                    s3_0 += q3 * k0; s3_1 += q3 * k1; s3_2 += q3 * k2; s3_3 += q3 * k3;
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
                for (int x = 0; x < 8; x += 1) {
                    const float q0 = q_tile[(16 + x) * Q_STRIDE + rg + 0];
                    const float q1 = q_tile[(16 + x) * Q_STRIDE + rg + 16];
                    const float q2 = q_tile[(16 + x) * Q_STRIDE + rg + 32];
                    const float q3 = q_tile[(16 + x) * Q_STRIDE + rg + 48];
                    const float k0 = stage[x * K_STRIDE + cg + 0];
                    const float k1 = stage[x * K_STRIDE + cg + 16];
                    const float k2 = stage[x * K_STRIDE + cg + 32];
                    const float k3 = stage[x * K_STRIDE + cg + 48];
                    s0_0 += q0 * k0; s0_1 += q0 * k1; s0_2 += q0 * k2; s0_3 += q0 * k3;
                    s1_0 += q1 * k0; s1_1 += q1 * k1; s1_2 += q1 * k2; s1_3 += q1 * k3;
                    s2_0 += q2 * k0; s2_1 += q2 * k1; s2_2 += q2 * k2; s2_3 += q2 * k3;
                    s3_0 += q3 * k0; s3_1 += q3 * k1; s3_2 += q3 * k2; s3_3 += q3 * k3;
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
                        if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(24 + x));
                        stage[x * K_STRIDE + c] = value;
                    }
                }
                {
                    const int e = 1 * WG_SIZE + lid;
                    const int c = e / HEAD_CHUNK, x = e % HEAD_CHUNK;
                    if (c < BLOCK_KEYS) {
                        float value = 0.0f;
                        if (c < keys) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(24 + x));
                        stage[x * K_STRIDE + c] = value;
                    }
                }
                memoryBarrierShared();
                barrier();
                for (int x = 0; x < 8; x += 1) {
                    const float q0 = q_tile[(24 + x) * Q_STRIDE + rg + 0];
                    const float q1 = q_tile[(24 + x) * Q_STRIDE + rg + 16];
                    const float q2 = q_tile[(24 + x) * Q_STRIDE + rg + 32];
                    const float q3 = q_tile[(24 + x) * Q_STRIDE + rg + 48];
                    const float k0 = stage[x * K_STRIDE + cg + 0];
                    const float k1 = stage[x * K_STRIDE + cg + 16];
                    const float k2 = stage[x * K_STRIDE + cg + 32];
                    const float k3 = stage[x * K_STRIDE + cg + 48];
                    s0_0 += q0 * k0; s0_1 += q0 * k1; s0_2 += q0 * k2; s0_3 += q0 * k3;
                    s1_0 += q1 * k0; s1_1 += q1 * k1; s1_2 += q1 * k2; s1_3 += q1 * k3;
                    s2_0 += q2 * k0; s2_1 += q2 * k1; s2_2 += q2 * k2; s2_3 += q2 * k3;
                    s3_0 += q3 * k0; s3_1 += q3 * k1; s3_2 += q3 * k2; s3_3 += q3 * k3;
                }
            }
            s0_0 *= pc.scale; s0_1 *= pc.scale; s0_2 *= pc.scale; s0_3 *= pc.scale;
            s1_0 *= pc.scale; s1_1 *= pc.scale; s1_2 *= pc.scale; s1_3 *= pc.scale;
            s2_0 *= pc.scale; s2_1 *= pc.scale; s2_2 *= pc.scale; s2_3 *= pc.scale;
            s3_0 *= pc.scale; s3_1 *= pc.scale; s3_2 *= pc.scale; s3_3 *= pc.scale;
            // for visit in panel where visit is PARTIAL: S[:, visit] <- -inf where !mask.allows; and keys past the panel
            {
                const bool outside = cg + 0 >= keys;
                const bool check = !outside && panel_partial && panel_masked[first + cg + 0] != 0;
                if (outside || (check && rg + 0 < rows && !neighborhood_mask_allows(query_rows[rg + 0], panel_tokens[first + cg + 0]))) s0_0 = NEG_INF;
                if (outside || (check && rg + 16 < rows && !neighborhood_mask_allows(query_rows[rg + 16], panel_tokens[first + cg + 0]))) s1_0 = NEG_INF;
                if (outside || (check && rg + 32 < rows && !neighborhood_mask_allows(query_rows[rg + 32], panel_tokens[first + cg + 0]))) s2_0 = NEG_INF;
                if (outside || (check && rg + 48 < rows && !neighborhood_mask_allows(query_rows[rg + 48], panel_tokens[first + cg + 0]))) s3_0 = NEG_INF;
            }
            {
                const bool outside = cg + 16 >= keys;
                const bool check = !outside && panel_partial && panel_masked[first + cg + 16] != 0;
                if (outside || (check && rg + 0 < rows && !neighborhood_mask_allows(query_rows[rg + 0], panel_tokens[first + cg + 16]))) s0_1 = NEG_INF;
                if (outside || (check && rg + 16 < rows && !neighborhood_mask_allows(query_rows[rg + 16], panel_tokens[first + cg + 16]))) s1_1 = NEG_INF;
                if (outside || (check && rg + 32 < rows && !neighborhood_mask_allows(query_rows[rg + 32], panel_tokens[first + cg + 16]))) s2_1 = NEG_INF;
                if (outside || (check && rg + 48 < rows && !neighborhood_mask_allows(query_rows[rg + 48], panel_tokens[first + cg + 16]))) s3_1 = NEG_INF;
            }
            {
                const bool outside = cg + 32 >= keys;
                const bool check = !outside && panel_partial && panel_masked[first + cg + 32] != 0;
                if (outside || (check && rg + 0 < rows && !neighborhood_mask_allows(query_rows[rg + 0], panel_tokens[first + cg + 32]))) s0_2 = NEG_INF;
                if (outside || (check && rg + 16 < rows && !neighborhood_mask_allows(query_rows[rg + 16], panel_tokens[first + cg + 32]))) s1_2 = NEG_INF;
                if (outside || (check && rg + 32 < rows && !neighborhood_mask_allows(query_rows[rg + 32], panel_tokens[first + cg + 32]))) s2_2 = NEG_INF;
                if (outside || (check && rg + 48 < rows && !neighborhood_mask_allows(query_rows[rg + 48], panel_tokens[first + cg + 32]))) s3_2 = NEG_INF;
            }
            {
                const bool outside = cg + 48 >= keys;
                const bool check = !outside && panel_partial && panel_masked[first + cg + 48] != 0;
                if (outside || (check && rg + 0 < rows && !neighborhood_mask_allows(query_rows[rg + 0], panel_tokens[first + cg + 48]))) s0_3 = NEG_INF;
                if (outside || (check && rg + 16 < rows && !neighborhood_mask_allows(query_rows[rg + 16], panel_tokens[first + cg + 48]))) s1_3 = NEG_INF;
                if (outside || (check && rg + 32 < rows && !neighborhood_mask_allows(query_rows[rg + 32], panel_tokens[first + cg + 48]))) s2_3 = NEG_INF;
                if (outside || (check && rg + 48 < rows && !neighborhood_mask_allows(query_rows[rg + 48], panel_tokens[first + cg + 48]))) s3_3 = NEG_INF;
            }
            // (m, l, acc, S) <- online_softmax(m, l, acc, S); a row with every key so far masked keeps l = 0 and P = 0
            row_share[(rg + 0) * KEY_THREADS + cg] = max(max(max(s0_0, s0_1), s0_2), s0_3);
            row_share[(rg + 16) * KEY_THREADS + cg] = max(max(max(s1_0, s1_1), s1_2), s1_3);
            row_share[(rg + 32) * KEY_THREADS + cg] = max(max(max(s2_0, s2_1), s2_2), s2_3);
            row_share[(rg + 48) * KEY_THREADS + cg] = max(max(max(s3_0, s3_1), s3_2), s3_3);
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
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s0_2 == NEG_INF ? 0.0f : exp(s0_2 - m_new));
                    share += p;
                    p_tile[(rg + 0) * BLOCK_KEYS + cg + 32] = p;
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s0_3 == NEG_INF ? 0.0f : exp(s0_3 - m_new));
                    share += p;
                    p_tile[(rg + 0) * BLOCK_KEYS + cg + 48] = p;
                }
                l0 = l0 * correction + share;
                m0 = m_new;
                o0_0 *= correction; o0_1 *= correction;
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
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s1_2 == NEG_INF ? 0.0f : exp(s1_2 - m_new));
                    share += p;
                    p_tile[(rg + 16) * BLOCK_KEYS + cg + 32] = p;
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s1_3 == NEG_INF ? 0.0f : exp(s1_3 - m_new));
                    share += p;
                    p_tile[(rg + 16) * BLOCK_KEYS + cg + 48] = p;
                }
                l1 = l1 * correction + share;
                m1 = m_new;
                o1_0 *= correction; o1_1 *= correction;
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
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s2_2 == NEG_INF ? 0.0f : exp(s2_2 - m_new));
                    share += p;
                    p_tile[(rg + 32) * BLOCK_KEYS + cg + 32] = p;
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s2_3 == NEG_INF ? 0.0f : exp(s2_3 - m_new));
                    share += p;
                    p_tile[(rg + 32) * BLOCK_KEYS + cg + 48] = p;
                }
                l2 = l2 * correction + share;
                m2 = m_new;
                o2_0 *= correction; o2_1 *= correction;
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
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s3_2 == NEG_INF ? 0.0f : exp(s3_2 - m_new));
                    share += p;
                    p_tile[(rg + 48) * BLOCK_KEYS + cg + 32] = p;
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = (s3_3 == NEG_INF ? 0.0f : exp(s3_3 - m_new));
                    share += p;
                    p_tile[(rg + 48) * BLOCK_KEYS + cg + 48] = p;
                }
                l3 = l3 * correction + share;
                m3 = m_new;
                o3_0 *= correction; o3_1 *= correction;
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
                for (int c = 0; c < 16; c += 1) {
                    const float v0 = stage[c * V_STRIDE + cg + 0];
                    const float v1 = stage[c * V_STRIDE + cg + 16];
                    const float p0 = p_tile[(rg + 0) * BLOCK_KEYS + 0 + c];
                    const float p1 = p_tile[(rg + 16) * BLOCK_KEYS + 0 + c];
                    const float p2 = p_tile[(rg + 32) * BLOCK_KEYS + 0 + c];
                    const float p3 = p_tile[(rg + 48) * BLOCK_KEYS + 0 + c];
                    o0_0 += p0 * v0; o0_1 += p0 * v1;
                    o1_0 += p1 * v0; o1_1 += p1 * v1;
                    o2_0 += p2 * v0; o2_1 += p2 * v1;
                    o3_0 += p3 * v0; o3_1 += p3 * v1;
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
                for (int c = 0; c < 16; c += 1) {
                    const float v0 = stage[c * V_STRIDE + cg + 0];
                    const float v1 = stage[c * V_STRIDE + cg + 16];
                    const float p0 = p_tile[(rg + 0) * BLOCK_KEYS + 16 + c];
                    const float p1 = p_tile[(rg + 16) * BLOCK_KEYS + 16 + c];
                    const float p2 = p_tile[(rg + 32) * BLOCK_KEYS + 16 + c];
                    const float p3 = p_tile[(rg + 48) * BLOCK_KEYS + 16 + c];
                    o0_0 += p0 * v0; o0_1 += p0 * v1;
                    o1_0 += p1 * v0; o1_1 += p1 * v1;
                    o2_0 += p2 * v0; o2_1 += p2 * v1;
                    o3_0 += p3 * v0; o3_1 += p3 * v1;
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
                        if (32 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 32 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                        stage[c * V_STRIDE + x] = value;
                    }
                }
                {
                    const int e = 1 * WG_SIZE + lid;
                    const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                    if (c < VALUE_KEYS) {
                        float value = 0.0f;
                        if (32 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 32 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                        stage[c * V_STRIDE + x] = value;
                    }
                }
                memoryBarrierShared();
                barrier();
                for (int c = 0; c < 16; c += 1) {
                    const float v0 = stage[c * V_STRIDE + cg + 0];
                    const float v1 = stage[c * V_STRIDE + cg + 16];
                    const float p0 = p_tile[(rg + 0) * BLOCK_KEYS + 32 + c];
                    const float p1 = p_tile[(rg + 16) * BLOCK_KEYS + 32 + c];
                    const float p2 = p_tile[(rg + 32) * BLOCK_KEYS + 32 + c];
                    const float p3 = p_tile[(rg + 48) * BLOCK_KEYS + 32 + c];
                    o0_0 += p0 * v0; o0_1 += p0 * v1;
                    o1_0 += p1 * v0; o1_1 += p1 * v1;
                    o2_0 += p2 * v0; o2_1 += p2 * v1;
                    o3_0 += p3 * v0; o3_1 += p3 * v1;
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
                        if (48 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 48 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                        stage[c * V_STRIDE + x] = value;
                    }
                }
                {
                    const int e = 1 * WG_SIZE + lid;
                    const int c = e / VALUE_DIM, x = e % VALUE_DIM;
                    if (c < VALUE_KEYS) {
                        float value = 0.0f;
                        if (48 + c < keys) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + 48 + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                        stage[c * V_STRIDE + x] = value;
                    }
                }
                memoryBarrierShared();
                barrier();
                for (int c = 0; c < 16; c += 1) {
                    const float v0 = stage[c * V_STRIDE + cg + 0];
                    const float v1 = stage[c * V_STRIDE + cg + 16];
                    const float p0 = p_tile[(rg + 0) * BLOCK_KEYS + 48 + c];
                    const float p1 = p_tile[(rg + 16) * BLOCK_KEYS + 48 + c];
                    const float p2 = p_tile[(rg + 32) * BLOCK_KEYS + 48 + c];
                    const float p3 = p_tile[(rg + 48) * BLOCK_KEYS + 48 + c];
                    o0_0 += p0 * v0; o0_1 += p0 * v1;
                    o1_0 += p1 * v0; o1_1 += p1 * v1;
                    o2_0 += p2 * v0; o2_1 += p2 * v1;
                    o3_0 += p3 * v0; o3_1 += p3 * v1;
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
        if (cg + 0 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 0)] = (l0 == 0.0f ? 0.0f : o0_0 / l0);
        if (cg + 16 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 16)] = (l0 == 0.0f ? 0.0f : o0_1 / l0);
        if (cg == 0) lse_data[row] = l0 == 0.0f ? NEG_INF : m0 + log(l0);
    }
    if (rg + 16 < rows) {
        const uint row = ((uint(seg_batch) * uint(pc.query_tokens) + uint(query_rows[rg + 16])) * uint(pc.heads) + uint(seg_head));
        if (cg + 0 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 0)] = (l1 == 0.0f ? 0.0f : o1_0 / l1);
        if (cg + 16 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 16)] = (l1 == 0.0f ? 0.0f : o1_1 / l1);
        if (cg == 0) lse_data[row] = l1 == 0.0f ? NEG_INF : m1 + log(l1);
    }
    if (rg + 32 < rows) {
        const uint row = ((uint(seg_batch) * uint(pc.query_tokens) + uint(query_rows[rg + 32])) * uint(pc.heads) + uint(seg_head));
        if (cg + 0 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 0)] = (l2 == 0.0f ? 0.0f : o2_0 / l2);
        if (cg + 16 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 16)] = (l2 == 0.0f ? 0.0f : o2_1 / l2);
        if (cg == 0) lse_data[row] = l2 == 0.0f ? NEG_INF : m2 + log(l2);
    }
    if (rg + 48 < rows) {
        const uint row = ((uint(seg_batch) * uint(pc.query_tokens) + uint(query_rows[rg + 48])) * uint(pc.heads) + uint(seg_head));
        if (cg + 0 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 0)] = (l3 == 0.0f ? 0.0f : o3_0 / l3);
        if (cg + 16 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 16)] = (l3 == 0.0f ? 0.0f : o3_1 / l3);
        if (cg == 0) lse_data[row] = l3 == 0.0f ? NEG_INF : m3 + log(l3);
    }
}
