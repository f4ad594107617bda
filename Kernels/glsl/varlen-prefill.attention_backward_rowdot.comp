// Backward pass of B1 H4/2 d64/64 q[840] k[840] float16 → float16 out, varlen 4 sequences, window (-1, 0), tiles 64/64, flash: shader attention_backward_rowdot, 1 of 3.
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
layout(std430, set = 0, binding = 3) readonly buffer OutputBuffer { float output_data[]; };
layout(std430, set = 0, binding = 6) readonly buffer DoutBuffer { float dout_data[]; };
layout(std430, set = 0, binding = 7) writeonly buffer RowDotBuffer { float row_dot_data[]; };

// ---- Kernel attention_backward_rowdot ---------------------------------------------------------------------
void main() {
    const int row = (int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * WG_SIZE + int(gl_LocalInvocationID.x));
    if (row >= pc.batch * pc.query_tokens * pc.heads) return;
    const uint base = uint(row) * uint(VALUE_DIM);
    float sum = 0.0f;
    for (int x = 0; x < VALUE_DIM; ++x) sum += dout_data[base + uint(x)] * output_data[base + uint(x)];
    row_dot_data[uint(row)] = sum;
}
