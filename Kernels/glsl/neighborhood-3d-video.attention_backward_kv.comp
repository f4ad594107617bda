// Backward pass of B1 H2/2 d64/64 q[8×16×16] k[8×16×16] float16, neighborhood window 3×7×7 stride 1×1×1 dilation 1×1×1 causal 000, tiles 1×8×8/1×8×8, flash: shader attention_backward_kv, 2 of 3.
// Inputs: q, k, v, the forward's output and lse, dout; outputs dq, dk, dv (float32).
#version 450

// ---- Configuration: compile-time constants ---------------------------------------------------
// The backward pass (FlashAttention-2's) over the tile plan and its transpose. Sizes, the scale and
// the plan's offsets are push constants; all arithmetic is float32 whatever the storage type.
const int HEAD_DIM = 64;        // query/key head dimension
const int VALUE_DIM = 64;       // value head dimension
const int MAX_QUERY_ROWS = 64;  // tokens of the largest query tile
const int MAX_KEY_ROWS = 64;    // tokens of the largest key tile
const int WG_SIZE = 64;         // invocations per work-group

layout(local_size_x = WG_SIZE) in;

#define NEG_INF uintBitsToFloat(0xff800000u)

// ---- Push constants: run-time sizes and the plan tables' offsets (see the manifest) ------------
layout(push_constant, std430) uniform PushConstants {
    int batch;                    // batch size
    int heads;                    // query heads
    int kv_heads;                 // key/value heads (GQA: heads is a multiple)
    int query_tokens;             // flat query grid size (Sq)
    int key_tokens;               // flat key grid size (Sk)
    int query_tiles;              // query tiles per (batch, head)
    int key_tiles;                // key tiles per (batch, kv head)
    float scale;                  // softmax scale applied to Q*K^T
    int grid_0;                   // mask: tokens of the grid on axis 0
    int grid_1;                   // mask: tokens of the grid on axis 1
    int grid_2;                   // mask: tokens of the grid on axis 2
    int query_tile_offsets_base;  // plan_data offset of query_tile_offsets
    int query_tile_tokens_base;   // plan_data offset of query_tile_tokens
    int key_tile_offsets_base;    // plan_data offset of key_tile_offsets
    int key_tile_tokens_base;     // plan_data offset of key_tile_tokens
    int visit_offsets_base;       // plan_data offset of visit_offsets
    int visits_base;              // plan_data offset of visits
    int visitor_offsets_base;     // plan_data offset of visitor_offsets
    int visitors_base;            // plan_data offset of visitors
} pc;

// ---- Buffers (descriptor set 0) ------------------------------------------------------------------
layout(std430, set = 0, binding = 0) readonly buffer QBuffer { uint q_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer KBuffer { uint k_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer VBuffer { uint v_data[]; };
layout(std430, set = 0, binding = 4) readonly buffer LseBuffer { float lse_data[]; };
layout(std430, set = 0, binding = 5) readonly buffer PlanBuffer { int plan_data[]; };
layout(std430, set = 0, binding = 6) readonly buffer DoutBuffer { float dout_data[]; };
layout(std430, set = 0, binding = 7) readonly buffer RowDotBuffer { float row_dot_data[]; };
layout(std430, set = 0, binding = 9) writeonly buffer DkBuffer { float dk_data[]; };
layout(std430, set = 0, binding = 10) writeonly buffer DvBuffer { float dv_data[]; };

// ---- Storage: element `index` of a tensor, widened to float32 -----------------------------------
// float16 storage read without optional device features: two elements per uint word, the
// even element in the low half (little-endian), widened exactly by unpackHalf2x16.
float load_q(uint index) { return unpackHalf2x16(q_data[index >> 1u])[index & 1u]; }
float load_k(uint index) { return unpackHalf2x16(k_data[index >> 1u])[index & 1u]; }
float load_v(uint index) { return unpackHalf2x16(v_data[index >> 1u])[index & 1u]; }

// ---- Mask predicate ------------------------------------------------------------------------------
// Mask parameters, from the spec.
layout(constant_id = 0) const int NA_WINDOW_0 = 3;  // axis 0: window K
layout(constant_id = 1) const int NA_STRIDE_0 = 1;  // axis 0: stride S
layout(constant_id = 2) const int NA_DILATION_0 = 1;  // axis 0: dilation D
layout(constant_id = 3) const bool NA_CAUSAL_0 = false;  // axis 0: causal
layout(constant_id = 4) const int NA_WINDOW_1 = 7;  // axis 1: window K
layout(constant_id = 5) const int NA_STRIDE_1 = 1;  // axis 1: stride S
layout(constant_id = 6) const int NA_DILATION_1 = 1;  // axis 1: dilation D
layout(constant_id = 7) const bool NA_CAUSAL_1 = false;  // axis 1: causal
layout(constant_id = 8) const int NA_WINDOW_2 = 7;  // axis 2: window K
layout(constant_id = 9) const int NA_STRIDE_2 = 1;  // axis 2: stride S
layout(constant_id = 10) const int NA_DILATION_2 = 1;  // axis 2: dilation D
layout(constant_id = 11) const bool NA_CAUSAL_2 = false;  // axis 2: causal

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
    const int q2 = q % pc.grid_2, k2 = k % pc.grid_2;
    q /= pc.grid_2;
    k /= pc.grid_2;
    const int q1 = q % pc.grid_1, k1 = k % pc.grid_1;
    q /= pc.grid_1;
    k /= pc.grid_1;
    const int q0 = q, k0 = k;
    return neighborhood_axis_allows(q0, k0, pc.grid_0, NA_WINDOW_0, NA_STRIDE_0, NA_DILATION_0, NA_CAUSAL_0)
        && neighborhood_axis_allows(q1, k1, pc.grid_1, NA_WINDOW_1, NA_STRIDE_1, NA_DILATION_1, NA_CAUSAL_1)
        && neighborhood_axis_allows(q2, k2, pc.grid_2, NA_WINDOW_2, NA_STRIDE_2, NA_DILATION_2, NA_CAUSAL_2);
}

// ---- Kernel attention_backward_kv ---------------------------------------------------------------------
void main() {
    const int gid = (int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * WG_SIZE + int(gl_LocalInvocationID.x));
    const int r = gid % MAX_KEY_ROWS, tile_row = gid / MAX_KEY_ROWS;
    const int key_tile = tile_row % pc.key_tiles, group_row = tile_row / pc.key_tiles;
    if (group_row >= pc.batch * pc.kv_heads) return;
    const int b = group_row / pc.kv_heads, kvh = group_row % pc.kv_heads;
    const int first_key = plan_data[pc.key_tile_offsets_base + key_tile];
    if (r >= plan_data[pc.key_tile_offsets_base + key_tile + 1] - first_key) return;
    const int key = plan_data[pc.key_tile_tokens_base + first_key + r];
    const uint key_row = uint((b * pc.key_tokens + key) * pc.kv_heads + kvh);
    const uint k_base = key_row * uint(HEAD_DIM), v_base = key_row * uint(VALUE_DIM);
    // this key's row of K and V, and its dK and dV sums, in registers
    float kj[HEAD_DIM], dk_sum[HEAD_DIM], vj[VALUE_DIM], dv_sum[VALUE_DIM];
    for (int x = 0; x < HEAD_DIM; ++x) { kj[x] = load_k(k_base + uint(x)); dk_sum[x] = 0.0f; }
    for (int x = 0; x < VALUE_DIM; ++x) { vj[x] = load_v(v_base + uint(x)); dv_sum[x] = 0.0f; }
    const int group_heads = pc.heads / pc.kv_heads;
    // GQA: the query heads that share this kv head, then the query tiles visiting this key tile
    for (int hh = 0; hh < group_heads; ++hh) {
        const int h = kvh * group_heads + hh;
        for (int t = plan_data[pc.visitor_offsets_base + key_tile]; t < plan_data[pc.visitor_offsets_base + key_tile + 1]; ++t) {
            const int query_tile = plan_data[pc.visitors_base + 2 * t];
            const bool full = plan_data[pc.visitors_base + 2 * t + 1] != 0;  // FULL visits need no mask
            for (int e = plan_data[pc.query_tile_offsets_base + query_tile]; e < plan_data[pc.query_tile_offsets_base + query_tile + 1]; ++e) {
                const int query = plan_data[pc.query_tile_tokens_base + e];
                if (!full && !neighborhood_mask_allows(query, key)) continue;
                const uint query_row = uint((b * pc.query_tokens + query) * pc.heads + h);
                // a row that sees no key (lse = -inf) has P = 0: it adds nothing
                if (lse_data[query_row] == NEG_INF) continue;
                const uint q_base = query_row * uint(HEAD_DIM), do_base = query_row * uint(VALUE_DIM);
                float s = 0.0f;
                for (int x = 0; x < HEAD_DIM; ++x) s += load_q(q_base + uint(x)) * kj[x];
                s *= pc.scale;
                const float p = exp(s - lse_data[query_row]);
                float dp = 0.0f;
                for (int x = 0; x < VALUE_DIM; ++x) dp += dout_data[do_base + uint(x)] * vj[x];
                const float ds = pc.scale * p * (dp - row_dot_data[query_row]);
                for (int x = 0; x < VALUE_DIM; ++x) dv_sum[x] += p * dout_data[do_base + uint(x)];
                for (int x = 0; x < HEAD_DIM; ++x) dk_sum[x] += ds * load_q(q_base + uint(x));
            }
        }
    }
    for (int x = 0; x < HEAD_DIM; ++x) dk_data[k_base + uint(x)] = dk_sum[x];
    for (int x = 0; x < VALUE_DIM; ++x) dv_data[v_base + uint(x)] = dv_sum[x];
}
