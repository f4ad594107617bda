// Backward pass of B1 H8/2 d64/64 q[8] k[3000] float32, varlen 8 sequences, window (-1, 0), tiles 1/128, lean(12): shader attention_backward_kv, 2 of 3.
// Inputs: q, k, v, the forward's output and lse, dout; outputs dq, dk, dv (float32).
#version 450

// ---- Configuration: compile-time constants ---------------------------------------------------
// The backward pass (FlashAttention-2's) over the tile plan and its transpose. Sizes, the scale and
// the plan's offsets are push constants; all arithmetic is float32 whatever the storage type.
const int HEAD_DIM = 64;       // query/key head dimension
const int VALUE_DIM = 64;      // value head dimension
const int MAX_QUERY_ROWS = 1;  // tokens of the largest query tile
const int MAX_KEY_ROWS = 128;  // tokens of the largest key tile
const int WG_SIZE = 64;        // invocations per work-group

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
    int query_tile_offsets_base;  // plan_data offset of query_tile_offsets
    int query_tile_tokens_base;   // plan_data offset of query_tile_tokens
    int key_tile_offsets_base;    // plan_data offset of key_tile_offsets
    int key_tile_tokens_base;     // plan_data offset of key_tile_tokens
    int visit_offsets_base;       // plan_data offset of visit_offsets
    int visits_base;              // plan_data offset of visits
    int visitor_offsets_base;     // plan_data offset of visitor_offsets
    int visitors_base;            // plan_data offset of visitors
    int mask_table_base;          // plan_data offset of mask_table
} pc;

// ---- Buffers (descriptor set 0) ------------------------------------------------------------------
layout(std430, set = 0, binding = 0) readonly buffer QBuffer { float q_data[]; };
layout(std430, set = 0, binding = 1) readonly buffer KBuffer { float k_data[]; };
layout(std430, set = 0, binding = 2) readonly buffer VBuffer { float v_data[]; };
layout(std430, set = 0, binding = 4) readonly buffer LseBuffer { float lse_data[]; };
layout(std430, set = 0, binding = 5) readonly buffer PlanBuffer { int plan_data[]; };
layout(std430, set = 0, binding = 6) readonly buffer DoutBuffer { float dout_data[]; };
layout(std430, set = 0, binding = 7) readonly buffer RowDotBuffer { float row_dot_data[]; };
layout(std430, set = 0, binding = 9) writeonly buffer DkBuffer { float dk_data[]; };
layout(std430, set = 0, binding = 10) writeonly buffer DvBuffer { float dv_data[]; };

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
                if (!full && !varlen_mask_allows(query, key)) continue;
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
