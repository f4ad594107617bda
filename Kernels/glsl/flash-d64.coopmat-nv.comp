// AttentionGen: generated GLSL 450 compute shader 1 of 1: attention_flash.
// Regenerate with `attngen emit SPEC.json --target glsl`.
//
// spec:     B1 H8/8 d64/64 q[1024] k[1024] float16, dense, tiles 64/64, flash
// tiling:   query tile 64 (64 tokens), key tile 64 (64 tokens);
//           16 query tiles, 16 key tiles
// plan:     per (batch, head) 256 visits: 256 FULL (mask-free), 0 PARTIAL (masked per element)
// schedule: flash: one work-group per (batch, head, query tile), online softmax over its visits
// dispatch: attention_flash (128 work-groups of 128)
// this:     vkCmdDispatch(128, 1, 1), local size 128; 46336 bytes of shared memory;
//           at most 453 loop iterations per invocation (tile loops not unrolled)
//
// Layout: q [batch, *queryShape, heads, headDim], k and v [batch, *keyShape, kvHeads, headDim | valueDim];
// output [batch, *queryShape, heads, valueDim] and lse [batch, *queryShape, heads] in float32 (natural log).
// Bindings, push-constant values, specialization constants and the plan data: see the .glsl-manifest.json
// written with this file. Needs no optional device feature.

#version 450
#extension GL_EXT_control_flow_attributes : require  // [[unroll]]: tile loops leave no real loop behind
#extension GL_KHR_shader_subgroup_shuffle : require  // rows reduced by subgroupShuffleXor
#extension GL_NV_cooperative_matrix : require                       // S = Q*K^T and O += P*V on fragments
#extension GL_KHR_memory_scope_semantics : require                  // (the extension's gl_ScopeSubgroup)
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require  // float16_t operands in shared memory
#extension GL_KHR_shader_subgroup_basic : require                   // gl_SubgroupID

// ---- Configuration: compile-time constants ---------------------------------------------------
// Sizes, the scale and the plan's offsets are push constants and the plan is a buffer, so every
// spec with these constants shares this shader. All arithmetic is float32 whatever the storage.
// Strategy: cooperative matrices (nv) 16x16x16, 4 subgroups of 32, float16 operands, float32 accumulators; softmax on 16x8 invocations, micro-tile 4x4, 64 query rows, 32 keys per step, subgroupShuffle reduction, rolled tile loops
const int HEAD_DIM = 64;          // query/key head dimension
const int VALUE_DIM = 64;         // value head dimension
const int MAX_QUERY_ROWS = 64;    // tokens of the largest query tile
const int MAX_KEY_ROWS = 64;      // tokens of the largest key tile
const int PANEL_KEYS = 64;        // key rows one panel of consecutive visits holds
const int WG_SIZE = 128;          // invocations per work-group
const int TILE_ROWS = 64;         // query rows of a work-group: ROW_THREADS x ROWS_PER_THREAD
const int ROW_THREADS = 16;       // invocations along the rows
const int KEY_THREADS = 8;        // invocations along a block's keys (they share rows)
const int ROWS_PER_THREAD = 4;    // micro-tile rows of S and O per invocation
const int KEYS_PER_THREAD = 4;    // micro-tile keys of S per invocation
const int BLOCK_KEYS = 32;        // keys scored per step: KEY_THREADS x KEYS_PER_THREAD
const int OUT_COLUMNS = 8;        // micro-tile columns of O per invocation
const int FM = 16;                // fragment rows
const int FN = 16;                // fragment columns
const int FK = 16;                // fragment depth
const int SUBGROUPS = 4;          // subgroups of the work-group
const int LANES = 32;             // invocations per subgroup
const int HEAD_PAD = 64;          // head dim padded to whole fragments (zeros)
const int VALUE_PAD = 64;         // value dim padded to whole fragments (zeros)
const int Q_STRIDE = 72;          // elements per row of the Q tile
const int K_STRIDE = 72;          // elements per key of the K block
const int V_STRIDE = 72;          // elements per key of the V block
const int S_STRIDE = 36;          // floats per row of S
const int P_STRIDE = 40;          // elements per row of P
const int O_STRIDE = 68;          // floats per row of O
const int STAGE_ELEMENTS = 2304;  // the K/V stage
const int S_FRAGMENTS = 8;        // fragments of S: (TILE_ROWS/FM) x (BLOCK_KEYS/FN)
const int O_FRAGMENTS = 16;       // fragments of O: (TILE_ROWS/FM) x (VALUE_PAD/FN)
const int ROW_STEPS = 1;          // steps of a loop over the tile's rows
const int QUERY_STEPS = 32;       // steps of the Q load
const int KEY_TILE_STEPS = 1;     // steps of a key tile's token copy
const int KEY_STEPS = 16;         // steps of a K block's load
const int VALUE_STEPS = 16;       // steps of a V block's load
const int OUTPUT_STEPS = 34;      // steps of clearing O

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
    float scale;                  // softmax scale applied to Q*K^T
    int query_tile_offsets_base;  // plan_data offset of query_tile_offsets
    int query_tile_tokens_base;   // plan_data offset of query_tile_tokens
    int key_tile_offsets_base;    // plan_data offset of key_tile_offsets
    int key_tile_tokens_base;     // plan_data offset of key_tile_tokens
    int visit_offsets_base;       // plan_data offset of visit_offsets
    int visits_base;              // plan_data offset of visits
} pc;

// ---- Buffers (descriptor set 0; bindings are fixed across the program's shaders) ------------
layout(std430, set = 0, binding = 0) readonly buffer QBuffer { uint q_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer KBuffer { uint k_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer VBuffer { uint v_data[]; };
layout(std430, set = 0, binding = 3) writeonly buffer OutputBuffer { float output_data[]; };
layout(std430, set = 0, binding = 4) writeonly buffer LseBuffer { float lse_data[]; };
layout(std430, set = 0, binding = 5) readonly buffer PlanBuffer { int plan_data[]; };

// ---- Storage: element `index` of a tensor, widened to float32 -----------------------------------
// float16 storage read without optional device features: two elements per uint word, the
// even element in the low half (little-endian), widened exactly by unpackHalf2x16.
float load_q(uint index) { return unpackHalf2x16(q_data[index >> 1u])[index & 1u]; }
float load_k(uint index) { return unpackHalf2x16(k_data[index >> 1u])[index & 1u]; }
float load_v(uint index) { return unpackHalf2x16(v_data[index >> 1u])[index & 1u]; }

// ---- Mask predicate ------------------------------------------------------------------------------
// Dense: every query sees every key (no visit is PARTIAL, so this is never called).
bool dense_mask_allows(int query, int key) { return true; }

// Work-group tiles: Q, the K/V stage and P as float16 operands; S and O float32; token lists.
shared float16_t q_tile[TILE_ROWS * Q_STRIDE];      // Q[row][x] at row * Q_STRIDE + x
shared float16_t stage[STAGE_ELEMENTS];             // K block [key][x] or V block [key][x]
shared float16_t p_tile[TILE_ROWS * P_STRIDE];      // P = exp(S - m), rounded
shared float s_tile[TILE_ROWS * S_STRIDE];          // S of the block
shared float o_tile[TILE_ROWS * O_STRIDE];          // the unnormalised output
shared int query_rows[TILE_ROWS];               // flat tokens of the query tile
shared int panel_tokens[PANEL_KEYS];            // flat tokens of the panel's keys, in visit order
shared int panel_masked[PANEL_KEYS];            // 1 where the key's visit is PARTIAL

// ---- Kernel attention_flash ---------------------------------------------------------------------
void main() {
    const int group = int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x);
    if (group >= pc.batch * pc.heads * pc.query_tiles) return;  // padding of the folded (x, y) dispatch; uniform per work-group

    const int lid = int(gl_LocalInvocationID.x);
    const int rg = lid / KEY_THREADS, cg = lid % KEY_THREADS;  // this invocation's row and key group
    const int sg = int(gl_SubgroupID);  // cooperative-matrix operations are subgroup-wide
    // O lives in o_tile (float32); this invocation rescales its micro-tile's cells
    // running max and this invocation's share of the row sum, per micro-tile row
    float m0, l0, m1, l1, m2, l2, m3, l3;

    // for segment in workgroup.segments: flash has one, the work-group's output tile with all its visits
    const int seg_batch = group / (pc.query_tiles * pc.heads), seg_head = (group / pc.query_tiles) % pc.heads, seg_query_tile = group % pc.query_tiles;
    const int seg_begin = plan_data[pc.visit_offsets_base + seg_query_tile], seg_end = plan_data[pc.visit_offsets_base + seg_query_tile + 1], seg_slot = 0;
    const int rows = plan_data[pc.query_tile_offsets_base + seg_query_tile + 1] - plan_data[pc.query_tile_offsets_base + seg_query_tile];
    const int kv_head = seg_head / (pc.heads / pc.kv_heads);  // GQA: query head h reads kv head h / (heads / kv_heads)
    // Q <- load q[batch, segment.queryTile, head] as operands; rows past the tile and dims past HEAD_DIM are zero
    {
        const int r = 0 * WG_SIZE + lid;
        if (r < TILE_ROWS) query_rows[r] = r < rows ? plan_data[pc.query_tile_tokens_base + plan_data[pc.query_tile_offsets_base + seg_query_tile] + r] : 0;
    }
    for (int step = 0; step < 32; step += 1) {
        const int e = step * WG_SIZE + lid;
        const int r = e / HEAD_PAD, x = e % HEAD_PAD;
        if (r < TILE_ROWS) {
            float value = 0.0f;
            if (r < rows && x < HEAD_DIM) {
                const int token = plan_data[pc.query_tile_tokens_base + plan_data[pc.query_tile_offsets_base + seg_query_tile] + r];
                value = load_q(((uint(seg_batch) * uint(pc.query_tokens) + uint(token)) * uint(pc.heads) + uint(seg_head)) * uint(HEAD_DIM) + uint(x));
            }
            q_tile[r * Q_STRIDE + x] = float16_t(value);
        }
    }
    memoryBarrierShared();
    barrier();
    // (m, l, acc) <- (-inf, 0, 0); acc is o_tile
    m0 = NEG_INF; l0 = 0.0f;
    m1 = NEG_INF; l1 = 0.0f;
    m2 = NEG_INF; l2 = 0.0f;
    m3 = NEG_INF; l3 = 0.0f;
    for (int step = 0; step < 34; step += 1) {
        { const int e = step * WG_SIZE + lid; if (e < TILE_ROWS * O_STRIDE) o_tile[e] = 0.0f; }
    }
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
            // S <- scale * Q*K^T over the block's keys: fragments into s_tile, then this invocation's micro-tile
            memoryBarrierShared();
            barrier();  // the stage's previous readers are done
            {
                const int e = 0 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 1 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 2 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 3 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 4 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 5 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 6 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 7 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 8 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 9 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 10 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 11 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 12 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 13 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 14 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 15 * WG_SIZE + lid;
                const int c = e / HEAD_PAD, x = e % HEAD_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < HEAD_DIM) value = load_k(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(HEAD_DIM) + uint(x));
                    stage[c * K_STRIDE + x] = float16_t(value);
                }
            }
            memoryBarrierShared();
            barrier();
            // the subgroups' fragments of S: keys fc*FN; K^T is the K block read column-major; rows fr*FM
            for (int f = sg; f < S_FRAGMENTS; f += SUBGROUPS) {
                const int row = (f / (BLOCK_KEYS / FN)) * FM, column = (f % (BLOCK_KEYS / FN)) * FN;
                fcoopmatNV<32, gl_ScopeSubgroup, FM, FN> acc = fcoopmatNV<32, gl_ScopeSubgroup, FM, FN>(0.0);
                {
                    fcoopmatNV<16, gl_ScopeSubgroup, FM, FK> a_frag;
                    coopMatLoadNV(a_frag, q_tile, uint(row * Q_STRIDE + 0), uint(Q_STRIDE), false);
                    fcoopmatNV<16, gl_ScopeSubgroup, FK, FN> b_frag;
                    coopMatLoadNV(b_frag, stage, uint(column * K_STRIDE + 0), uint(K_STRIDE), true);
                    acc = coopMatMulAddNV(a_frag, b_frag, acc);
                }
                {
                    fcoopmatNV<16, gl_ScopeSubgroup, FM, FK> a_frag;
                    coopMatLoadNV(a_frag, q_tile, uint(row * Q_STRIDE + 16), uint(Q_STRIDE), false);
                    fcoopmatNV<16, gl_ScopeSubgroup, FK, FN> b_frag;
                    coopMatLoadNV(b_frag, stage, uint(column * K_STRIDE + 16), uint(K_STRIDE), true);
                    acc = coopMatMulAddNV(a_frag, b_frag, acc);
                }
                {
                    fcoopmatNV<16, gl_ScopeSubgroup, FM, FK> a_frag;
                    coopMatLoadNV(a_frag, q_tile, uint(row * Q_STRIDE + 32), uint(Q_STRIDE), false);
                    fcoopmatNV<16, gl_ScopeSubgroup, FK, FN> b_frag;
                    coopMatLoadNV(b_frag, stage, uint(column * K_STRIDE + 32), uint(K_STRIDE), true);
                    acc = coopMatMulAddNV(a_frag, b_frag, acc);
                }
                {
                    fcoopmatNV<16, gl_ScopeSubgroup, FM, FK> a_frag;
                    coopMatLoadNV(a_frag, q_tile, uint(row * Q_STRIDE + 48), uint(Q_STRIDE), false);
                    fcoopmatNV<16, gl_ScopeSubgroup, FK, FN> b_frag;
                    coopMatLoadNV(b_frag, stage, uint(column * K_STRIDE + 48), uint(K_STRIDE), true);
                    acc = coopMatMulAddNV(a_frag, b_frag, acc);
                }
                coopMatStoreNV(acc, s_tile, uint(row * S_STRIDE + column), uint(S_STRIDE), false);
            }
            memoryBarrierShared();
            barrier();
            float s0_0 = s_tile[(rg + 0) * S_STRIDE + cg + 0] * pc.scale, s0_1 = s_tile[(rg + 0) * S_STRIDE + cg + 8] * pc.scale, s0_2 = s_tile[(rg + 0) * S_STRIDE + cg + 16] * pc.scale, s0_3 = s_tile[(rg + 0) * S_STRIDE + cg + 24] * pc.scale, s1_0 = s_tile[(rg + 16) * S_STRIDE + cg + 0] * pc.scale, s1_1 = s_tile[(rg + 16) * S_STRIDE + cg + 8] * pc.scale, s1_2 = s_tile[(rg + 16) * S_STRIDE + cg + 16] * pc.scale, s1_3 = s_tile[(rg + 16) * S_STRIDE + cg + 24] * pc.scale, s2_0 = s_tile[(rg + 32) * S_STRIDE + cg + 0] * pc.scale, s2_1 = s_tile[(rg + 32) * S_STRIDE + cg + 8] * pc.scale, s2_2 = s_tile[(rg + 32) * S_STRIDE + cg + 16] * pc.scale, s2_3 = s_tile[(rg + 32) * S_STRIDE + cg + 24] * pc.scale, s3_0 = s_tile[(rg + 48) * S_STRIDE + cg + 0] * pc.scale, s3_1 = s_tile[(rg + 48) * S_STRIDE + cg + 8] * pc.scale, s3_2 = s_tile[(rg + 48) * S_STRIDE + cg + 16] * pc.scale, s3_3 = s_tile[(rg + 48) * S_STRIDE + cg + 24] * pc.scale;
            // for visit in panel where visit is PARTIAL: S[:, visit] <- -inf where !mask.allows; and keys past the panel
            {
                const bool outside = cg + 0 >= keys;
                const bool check = !outside && panel_partial && panel_masked[first + cg + 0] != 0;
                if (outside || (check && rg + 0 < rows && !dense_mask_allows(query_rows[rg + 0], panel_tokens[first + cg + 0]))) s0_0 = NEG_INF;
                if (outside || (check && rg + 16 < rows && !dense_mask_allows(query_rows[rg + 16], panel_tokens[first + cg + 0]))) s1_0 = NEG_INF;
                if (outside || (check && rg + 32 < rows && !dense_mask_allows(query_rows[rg + 32], panel_tokens[first + cg + 0]))) s2_0 = NEG_INF;
                if (outside || (check && rg + 48 < rows && !dense_mask_allows(query_rows[rg + 48], panel_tokens[first + cg + 0]))) s3_0 = NEG_INF;
            }
            {
                const bool outside = cg + 8 >= keys;
                const bool check = !outside && panel_partial && panel_masked[first + cg + 8] != 0;
                if (outside || (check && rg + 0 < rows && !dense_mask_allows(query_rows[rg + 0], panel_tokens[first + cg + 8]))) s0_1 = NEG_INF;
                if (outside || (check && rg + 16 < rows && !dense_mask_allows(query_rows[rg + 16], panel_tokens[first + cg + 8]))) s1_1 = NEG_INF;
                if (outside || (check && rg + 32 < rows && !dense_mask_allows(query_rows[rg + 32], panel_tokens[first + cg + 8]))) s2_1 = NEG_INF;
                if (outside || (check && rg + 48 < rows && !dense_mask_allows(query_rows[rg + 48], panel_tokens[first + cg + 8]))) s3_1 = NEG_INF;
            }
            {
                const bool outside = cg + 16 >= keys;
                const bool check = !outside && panel_partial && panel_masked[first + cg + 16] != 0;
                if (outside || (check && rg + 0 < rows && !dense_mask_allows(query_rows[rg + 0], panel_tokens[first + cg + 16]))) s0_2 = NEG_INF;
                if (outside || (check && rg + 16 < rows && !dense_mask_allows(query_rows[rg + 16], panel_tokens[first + cg + 16]))) s1_2 = NEG_INF;
                if (outside || (check && rg + 32 < rows && !dense_mask_allows(query_rows[rg + 32], panel_tokens[first + cg + 16]))) s2_2 = NEG_INF;
                if (outside || (check && rg + 48 < rows && !dense_mask_allows(query_rows[rg + 48], panel_tokens[first + cg + 16]))) s3_2 = NEG_INF;
            }
            {
                const bool outside = cg + 24 >= keys;
                const bool check = !outside && panel_partial && panel_masked[first + cg + 24] != 0;
                if (outside || (check && rg + 0 < rows && !dense_mask_allows(query_rows[rg + 0], panel_tokens[first + cg + 24]))) s0_3 = NEG_INF;
                if (outside || (check && rg + 16 < rows && !dense_mask_allows(query_rows[rg + 16], panel_tokens[first + cg + 24]))) s1_3 = NEG_INF;
                if (outside || (check && rg + 32 < rows && !dense_mask_allows(query_rows[rg + 32], panel_tokens[first + cg + 24]))) s2_3 = NEG_INF;
                if (outside || (check && rg + 48 < rows && !dense_mask_allows(query_rows[rg + 48], panel_tokens[first + cg + 24]))) s3_3 = NEG_INF;
            }
            // (m, l, acc, S) <- online_softmax(m, l, acc, S); a row with every key so far masked keeps l = 0 and P = 0
            float row_max0 = max(max(max(s0_0, s0_1), s0_2), s0_3);
            row_max0 = max(row_max0, subgroupShuffleXor(row_max0, 1));
            row_max0 = max(row_max0, subgroupShuffleXor(row_max0, 2));
            row_max0 = max(row_max0, subgroupShuffleXor(row_max0, 4));
            float row_max1 = max(max(max(s1_0, s1_1), s1_2), s1_3);
            row_max1 = max(row_max1, subgroupShuffleXor(row_max1, 1));
            row_max1 = max(row_max1, subgroupShuffleXor(row_max1, 2));
            row_max1 = max(row_max1, subgroupShuffleXor(row_max1, 4));
            float row_max2 = max(max(max(s2_0, s2_1), s2_2), s2_3);
            row_max2 = max(row_max2, subgroupShuffleXor(row_max2, 1));
            row_max2 = max(row_max2, subgroupShuffleXor(row_max2, 2));
            row_max2 = max(row_max2, subgroupShuffleXor(row_max2, 4));
            float row_max3 = max(max(max(s3_0, s3_1), s3_2), s3_3);
            row_max3 = max(row_max3, subgroupShuffleXor(row_max3, 1));
            row_max3 = max(row_max3, subgroupShuffleXor(row_max3, 2));
            row_max3 = max(row_max3, subgroupShuffleXor(row_max3, 4));
            {
                float m_new = m0;
                m_new = max(m_new, row_max0);
                const float correction = m0 == NEG_INF || m_new == NEG_INF ? (m_new == NEG_INF ? 1.0f : 0.0f) : exp(m0 - m_new);
                float share = 0.0f;
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s0_0 == NEG_INF ? 0.0f : exp(s0_0 - m_new))));
                    share += p;
                    p_tile[(rg + 0) * P_STRIDE + cg + 0] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s0_1 == NEG_INF ? 0.0f : exp(s0_1 - m_new))));
                    share += p;
                    p_tile[(rg + 0) * P_STRIDE + cg + 8] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s0_2 == NEG_INF ? 0.0f : exp(s0_2 - m_new))));
                    share += p;
                    p_tile[(rg + 0) * P_STRIDE + cg + 16] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s0_3 == NEG_INF ? 0.0f : exp(s0_3 - m_new))));
                    share += p;
                    p_tile[(rg + 0) * P_STRIDE + cg + 24] = float16_t(p);
                }
                l0 = l0 * correction + share;
                m0 = m_new;
                o_tile[(rg + 0) * O_STRIDE + cg + 0] *= correction; o_tile[(rg + 0) * O_STRIDE + cg + 8] *= correction; o_tile[(rg + 0) * O_STRIDE + cg + 16] *= correction; o_tile[(rg + 0) * O_STRIDE + cg + 24] *= correction; o_tile[(rg + 0) * O_STRIDE + cg + 32] *= correction; o_tile[(rg + 0) * O_STRIDE + cg + 40] *= correction; o_tile[(rg + 0) * O_STRIDE + cg + 48] *= correction; o_tile[(rg + 0) * O_STRIDE + cg + 56] *= correction;
            }
            {
                float m_new = m1;
                m_new = max(m_new, row_max1);
                const float correction = m1 == NEG_INF || m_new == NEG_INF ? (m_new == NEG_INF ? 1.0f : 0.0f) : exp(m1 - m_new);
                float share = 0.0f;
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s1_0 == NEG_INF ? 0.0f : exp(s1_0 - m_new))));
                    share += p;
                    p_tile[(rg + 16) * P_STRIDE + cg + 0] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s1_1 == NEG_INF ? 0.0f : exp(s1_1 - m_new))));
                    share += p;
                    p_tile[(rg + 16) * P_STRIDE + cg + 8] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s1_2 == NEG_INF ? 0.0f : exp(s1_2 - m_new))));
                    share += p;
                    p_tile[(rg + 16) * P_STRIDE + cg + 16] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s1_3 == NEG_INF ? 0.0f : exp(s1_3 - m_new))));
                    share += p;
                    p_tile[(rg + 16) * P_STRIDE + cg + 24] = float16_t(p);
                }
                l1 = l1 * correction + share;
                m1 = m_new;
                o_tile[(rg + 16) * O_STRIDE + cg + 0] *= correction; o_tile[(rg + 16) * O_STRIDE + cg + 8] *= correction; o_tile[(rg + 16) * O_STRIDE + cg + 16] *= correction; o_tile[(rg + 16) * O_STRIDE + cg + 24] *= correction; o_tile[(rg + 16) * O_STRIDE + cg + 32] *= correction; o_tile[(rg + 16) * O_STRIDE + cg + 40] *= correction; o_tile[(rg + 16) * O_STRIDE + cg + 48] *= correction; o_tile[(rg + 16) * O_STRIDE + cg + 56] *= correction;
            }
            {
                float m_new = m2;
                m_new = max(m_new, row_max2);
                const float correction = m2 == NEG_INF || m_new == NEG_INF ? (m_new == NEG_INF ? 1.0f : 0.0f) : exp(m2 - m_new);
                float share = 0.0f;
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s2_0 == NEG_INF ? 0.0f : exp(s2_0 - m_new))));
                    share += p;
                    p_tile[(rg + 32) * P_STRIDE + cg + 0] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s2_1 == NEG_INF ? 0.0f : exp(s2_1 - m_new))));
                    share += p;
                    p_tile[(rg + 32) * P_STRIDE + cg + 8] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s2_2 == NEG_INF ? 0.0f : exp(s2_2 - m_new))));
                    share += p;
                    p_tile[(rg + 32) * P_STRIDE + cg + 16] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s2_3 == NEG_INF ? 0.0f : exp(s2_3 - m_new))));
                    share += p;
                    p_tile[(rg + 32) * P_STRIDE + cg + 24] = float16_t(p);
                }
                l2 = l2 * correction + share;
                m2 = m_new;
                o_tile[(rg + 32) * O_STRIDE + cg + 0] *= correction; o_tile[(rg + 32) * O_STRIDE + cg + 8] *= correction; o_tile[(rg + 32) * O_STRIDE + cg + 16] *= correction; o_tile[(rg + 32) * O_STRIDE + cg + 24] *= correction; o_tile[(rg + 32) * O_STRIDE + cg + 32] *= correction; o_tile[(rg + 32) * O_STRIDE + cg + 40] *= correction; o_tile[(rg + 32) * O_STRIDE + cg + 48] *= correction; o_tile[(rg + 32) * O_STRIDE + cg + 56] *= correction;
            }
            {
                float m_new = m3;
                m_new = max(m_new, row_max3);
                const float correction = m3 == NEG_INF || m_new == NEG_INF ? (m_new == NEG_INF ? 1.0f : 0.0f) : exp(m3 - m_new);
                float share = 0.0f;
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s3_0 == NEG_INF ? 0.0f : exp(s3_0 - m_new))));
                    share += p;
                    p_tile[(rg + 48) * P_STRIDE + cg + 0] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s3_1 == NEG_INF ? 0.0f : exp(s3_1 - m_new))));
                    share += p;
                    p_tile[(rg + 48) * P_STRIDE + cg + 8] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s3_2 == NEG_INF ? 0.0f : exp(s3_2 - m_new))));
                    share += p;
                    p_tile[(rg + 48) * P_STRIDE + cg + 16] = float16_t(p);
                }
                {
                    // P = 0 for masked keys (also when every key so far is masked: m = -inf); NaN scores stay NaN
                    const float p = float(float16_t((s3_3 == NEG_INF ? 0.0f : exp(s3_3 - m_new))));
                    share += p;
                    p_tile[(rg + 48) * P_STRIDE + cg + 24] = float16_t(p);
                }
                l3 = l3 * correction + share;
                m3 = m_new;
                o_tile[(rg + 48) * O_STRIDE + cg + 0] *= correction; o_tile[(rg + 48) * O_STRIDE + cg + 8] *= correction; o_tile[(rg + 48) * O_STRIDE + cg + 16] *= correction; o_tile[(rg + 48) * O_STRIDE + cg + 24] *= correction; o_tile[(rg + 48) * O_STRIDE + cg + 32] *= correction; o_tile[(rg + 48) * O_STRIDE + cg + 40] *= correction; o_tile[(rg + 48) * O_STRIDE + cg + 48] *= correction; o_tile[(rg + 48) * O_STRIDE + cg + 56] *= correction;
            }
            // acc <- acc + P*V over the block's keys, on fragments
            memoryBarrierShared();
            barrier();  // readers of the stage are done; P and the rescaled O are visible after the next
            {
                const int e = 0 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 1 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 2 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 3 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 4 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 5 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 6 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 7 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 8 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 9 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 10 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 11 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 12 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 13 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 14 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            {
                const int e = 15 * WG_SIZE + lid;
                const int c = e / VALUE_PAD, x = e % VALUE_PAD;
                if (c < BLOCK_KEYS) {
                    float value = 0.0f;
                    if (c < keys && x < VALUE_DIM) value = load_v(((uint(seg_batch) * uint(pc.key_tokens) + uint(panel_tokens[first + c])) * uint(pc.kv_heads) + uint(kv_head)) * uint(VALUE_DIM) + uint(x));
                    stage[c * V_STRIDE + x] = float16_t(value);
                }
            }
            memoryBarrierShared();
            barrier();
            // the subgroups' fragments of O: value columns fc*FN; rows fr*FM
            for (int f = sg; f < O_FRAGMENTS; f += SUBGROUPS) {
                const int row = (f / (VALUE_PAD / FN)) * FM, column = (f % (VALUE_PAD / FN)) * FN;
                fcoopmatNV<32, gl_ScopeSubgroup, FM, FN> acc;
                coopMatLoadNV(acc, o_tile, uint(row * O_STRIDE + column), uint(O_STRIDE), false);
                {
                    fcoopmatNV<16, gl_ScopeSubgroup, FM, FK> a_frag;
                    coopMatLoadNV(a_frag, p_tile, uint(row * P_STRIDE + 0), uint(P_STRIDE), false);
                    fcoopmatNV<16, gl_ScopeSubgroup, FK, FN> b_frag;
                    coopMatLoadNV(b_frag, stage, uint(0 * V_STRIDE + column), uint(V_STRIDE), false);
                    acc = coopMatMulAddNV(a_frag, b_frag, acc);
                }
                {
                    fcoopmatNV<16, gl_ScopeSubgroup, FM, FK> a_frag;
                    coopMatLoadNV(a_frag, p_tile, uint(row * P_STRIDE + 16), uint(P_STRIDE), false);
                    fcoopmatNV<16, gl_ScopeSubgroup, FK, FN> b_frag;
                    coopMatLoadNV(b_frag, stage, uint(16 * V_STRIDE + column), uint(V_STRIDE), false);
                    acc = coopMatMulAddNV(a_frag, b_frag, acc);
                }
                coopMatStoreNV(acc, o_tile, uint(row * O_STRIDE + column), uint(O_STRIDE), false);
            }
        }
        next = panel_end;
    }
    // l <- the sum of the row's shares (all were rescaled by the same corrections)
    l0 += subgroupShuffleXor(l0, 1);
    l0 += subgroupShuffleXor(l0, 2);
    l0 += subgroupShuffleXor(l0, 4);
    l1 += subgroupShuffleXor(l1, 1);
    l1 += subgroupShuffleXor(l1, 2);
    l1 += subgroupShuffleXor(l1, 4);
    l2 += subgroupShuffleXor(l2, 1);
    l2 += subgroupShuffleXor(l2, 2);
    l2 += subgroupShuffleXor(l2, 4);
    l3 += subgroupShuffleXor(l3, 1);
    l3 += subgroupShuffleXor(l3, 2);
    l3 += subgroupShuffleXor(l3, 4);
    memoryBarrierShared();
    barrier();  // the subgroups' products into o_tile are done
    // store out <- acc / l, lse <- m + log l (0, -inf where l = 0)
    if (rg + 0 < rows) {
        const uint row = ((uint(seg_batch) * uint(pc.query_tokens) + uint(query_rows[rg + 0])) * uint(pc.heads) + uint(seg_head));
        if (cg + 0 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 0)] = (l0 == 0.0f ? 0.0f : o_tile[(rg + 0) * O_STRIDE + cg + 0] / l0);
        if (cg + 8 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 8)] = (l0 == 0.0f ? 0.0f : o_tile[(rg + 0) * O_STRIDE + cg + 8] / l0);
        if (cg + 16 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 16)] = (l0 == 0.0f ? 0.0f : o_tile[(rg + 0) * O_STRIDE + cg + 16] / l0);
        if (cg + 24 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 24)] = (l0 == 0.0f ? 0.0f : o_tile[(rg + 0) * O_STRIDE + cg + 24] / l0);
        if (cg + 32 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 32)] = (l0 == 0.0f ? 0.0f : o_tile[(rg + 0) * O_STRIDE + cg + 32] / l0);
        if (cg + 40 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 40)] = (l0 == 0.0f ? 0.0f : o_tile[(rg + 0) * O_STRIDE + cg + 40] / l0);
        if (cg + 48 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 48)] = (l0 == 0.0f ? 0.0f : o_tile[(rg + 0) * O_STRIDE + cg + 48] / l0);
        if (cg + 56 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 56)] = (l0 == 0.0f ? 0.0f : o_tile[(rg + 0) * O_STRIDE + cg + 56] / l0);
        if (cg == 0) lse_data[row] = l0 == 0.0f ? NEG_INF : m0 + log(l0);
    }
    if (rg + 16 < rows) {
        const uint row = ((uint(seg_batch) * uint(pc.query_tokens) + uint(query_rows[rg + 16])) * uint(pc.heads) + uint(seg_head));
        if (cg + 0 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 0)] = (l1 == 0.0f ? 0.0f : o_tile[(rg + 16) * O_STRIDE + cg + 0] / l1);
        if (cg + 8 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 8)] = (l1 == 0.0f ? 0.0f : o_tile[(rg + 16) * O_STRIDE + cg + 8] / l1);
        if (cg + 16 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 16)] = (l1 == 0.0f ? 0.0f : o_tile[(rg + 16) * O_STRIDE + cg + 16] / l1);
        if (cg + 24 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 24)] = (l1 == 0.0f ? 0.0f : o_tile[(rg + 16) * O_STRIDE + cg + 24] / l1);
        if (cg + 32 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 32)] = (l1 == 0.0f ? 0.0f : o_tile[(rg + 16) * O_STRIDE + cg + 32] / l1);
        if (cg + 40 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 40)] = (l1 == 0.0f ? 0.0f : o_tile[(rg + 16) * O_STRIDE + cg + 40] / l1);
        if (cg + 48 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 48)] = (l1 == 0.0f ? 0.0f : o_tile[(rg + 16) * O_STRIDE + cg + 48] / l1);
        if (cg + 56 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 56)] = (l1 == 0.0f ? 0.0f : o_tile[(rg + 16) * O_STRIDE + cg + 56] / l1);
        if (cg == 0) lse_data[row] = l1 == 0.0f ? NEG_INF : m1 + log(l1);
    }
    if (rg + 32 < rows) {
        const uint row = ((uint(seg_batch) * uint(pc.query_tokens) + uint(query_rows[rg + 32])) * uint(pc.heads) + uint(seg_head));
        if (cg + 0 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 0)] = (l2 == 0.0f ? 0.0f : o_tile[(rg + 32) * O_STRIDE + cg + 0] / l2);
        if (cg + 8 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 8)] = (l2 == 0.0f ? 0.0f : o_tile[(rg + 32) * O_STRIDE + cg + 8] / l2);
        if (cg + 16 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 16)] = (l2 == 0.0f ? 0.0f : o_tile[(rg + 32) * O_STRIDE + cg + 16] / l2);
        if (cg + 24 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 24)] = (l2 == 0.0f ? 0.0f : o_tile[(rg + 32) * O_STRIDE + cg + 24] / l2);
        if (cg + 32 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 32)] = (l2 == 0.0f ? 0.0f : o_tile[(rg + 32) * O_STRIDE + cg + 32] / l2);
        if (cg + 40 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 40)] = (l2 == 0.0f ? 0.0f : o_tile[(rg + 32) * O_STRIDE + cg + 40] / l2);
        if (cg + 48 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 48)] = (l2 == 0.0f ? 0.0f : o_tile[(rg + 32) * O_STRIDE + cg + 48] / l2);
        if (cg + 56 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 56)] = (l2 == 0.0f ? 0.0f : o_tile[(rg + 32) * O_STRIDE + cg + 56] / l2);
        if (cg == 0) lse_data[row] = l2 == 0.0f ? NEG_INF : m2 + log(l2);
    }
    if (rg + 48 < rows) {
        const uint row = ((uint(seg_batch) * uint(pc.query_tokens) + uint(query_rows[rg + 48])) * uint(pc.heads) + uint(seg_head));
        if (cg + 0 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 0)] = (l3 == 0.0f ? 0.0f : o_tile[(rg + 48) * O_STRIDE + cg + 0] / l3);
        if (cg + 8 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 8)] = (l3 == 0.0f ? 0.0f : o_tile[(rg + 48) * O_STRIDE + cg + 8] / l3);
        if (cg + 16 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 16)] = (l3 == 0.0f ? 0.0f : o_tile[(rg + 48) * O_STRIDE + cg + 16] / l3);
        if (cg + 24 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 24)] = (l3 == 0.0f ? 0.0f : o_tile[(rg + 48) * O_STRIDE + cg + 24] / l3);
        if (cg + 32 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 32)] = (l3 == 0.0f ? 0.0f : o_tile[(rg + 48) * O_STRIDE + cg + 32] / l3);
        if (cg + 40 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 40)] = (l3 == 0.0f ? 0.0f : o_tile[(rg + 48) * O_STRIDE + cg + 40] / l3);
        if (cg + 48 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 48)] = (l3 == 0.0f ? 0.0f : o_tile[(rg + 48) * O_STRIDE + cg + 48] / l3);
        if (cg + 56 < VALUE_DIM) output_data[row * uint(VALUE_DIM) + uint(cg + 56)] = (l3 == 0.0f ? 0.0f : o_tile[(rg + 48) * O_STRIDE + cg + 56] / l3);
        if (cg == 0) lse_data[row] = l3 == 0.0f ? NEG_INF : m3 + log(l3);
    }
}
