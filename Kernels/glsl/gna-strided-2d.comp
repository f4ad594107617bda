// AttentionGen: generated GLSL 450 compute shader 1 of 1: attention_flash.
// Regenerate with `attngen emit SPEC.json --target glsl`.
//
// spec:     B1 H4/4 d64/64 q[32x32] k[32x32] float32, neighborhood window 16x16 stride 4x4 dilation 1x1 causal 00, tiles 8x8/8x8, flash
// tiling:   query tile 8x8 (64 tokens), key tile 8x8 (64 tokens);
//           16 query tiles, 16 key tiles
// plan:     per (batch, head) 100 visits: 36 FULL (mask-free), 64 PARTIAL (masked per element)
// schedule: flash: one work-group per (batch, head, query tile), online softmax over its visits
// dispatch: attention_flash (64 work-groups of 64)
// this:     vkCmdDispatch(64, 1, 1), local size 64; 32512 bytes of shared memory;
//           at most 56173 loop iterations per invocation (tile loops not unrolled)
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
const int HEAD_DIM = 64;        // query/key head dimension
const int VALUE_DIM = 64;       // value head dimension
const int MAX_QUERY_ROWS = 64;  // tokens of the largest query tile
const int MAX_KEY_ROWS = 64;    // tokens of the largest key tile
const int PANEL_KEYS = 64;      // key rows one panel of consecutive visits holds
const int KEY_CHUNK = 19;       // keys of a panel that K, V and S hold at once
const int WG_SIZE = 64;         // invocations per work-group

layout(local_size_x = 64) in;

// Steps of the loops that spread a tile's elements over the work-group.
const int ROW_STEPS = (MAX_QUERY_ROWS + WG_SIZE - 1) / WG_SIZE;
const int QUERY_STEPS = (MAX_QUERY_ROWS * HEAD_DIM + WG_SIZE - 1) / WG_SIZE;
const int KEY_TILE_STEPS = (MAX_KEY_ROWS + WG_SIZE - 1) / WG_SIZE;
const int KEY_STEPS = (KEY_CHUNK * HEAD_DIM + WG_SIZE - 1) / WG_SIZE;
const int VALUE_STEPS = (KEY_CHUNK * VALUE_DIM + WG_SIZE - 1) / WG_SIZE;
const int SCORE_STEPS = (MAX_QUERY_ROWS * KEY_CHUNK + WG_SIZE - 1) / WG_SIZE;
const int ACC_STEPS = (MAX_QUERY_ROWS * VALUE_DIM + WG_SIZE - 1) / WG_SIZE;

// -inf by its bits: GLSL has no infinity literal and 1.0 / 0.0 is undefined (a macro, since
// glslang does not fold uintBitsToFloat in a const initializer).
#define NEG_INF uintBitsToFloat(0xff800000u)

int local_id() { return int(gl_LocalInvocationID.x); }

// Shared-memory writes of every invocation are visible to all after this.
void workgroup_sync() {
    memoryBarrierShared();
    barrier();
}

// Mask parameters: specialization constants, defaults from the spec.
layout(constant_id = 0) const int NA_WINDOW_0 = 16;  // axis 0: window K
layout(constant_id = 1) const int NA_STRIDE_0 = 4;  // axis 0: stride S
layout(constant_id = 2) const int NA_DILATION_0 = 1;  // axis 0: dilation D
layout(constant_id = 3) const bool NA_CAUSAL_0 = false;  // axis 0: causal
layout(constant_id = 4) const int NA_WINDOW_1 = 16;  // axis 1: window K
layout(constant_id = 5) const int NA_STRIDE_1 = 4;  // axis 1: stride S
layout(constant_id = 6) const int NA_DILATION_1 = 1;  // axis 1: dilation D
layout(constant_id = 7) const bool NA_CAUSAL_1 = false;  // axis 1: causal

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

// Row of a [batch, tokens, heads, width] tensor (uint: tensors may pass 2^31 elements).
uint tensor_row(int batch, int token, int grid_tokens, int tensor_heads, int head) {
    return (uint(batch) * uint(grid_tokens) + uint(token)) * uint(tensor_heads) + uint(head);
}

// ---- Plan records (the packed plan buffer; pc.<table>_base is each table's word offset) ------

// Query tile t holds tokens query_tile_tokens[offsets[t] .. offsets[t + 1]) (CSR).
int query_tile_size(int tile) { return plan_data[pc.query_tile_offsets_base + tile + 1] - plan_data[pc.query_tile_offsets_base + tile]; }
int query_tile_token(int tile, int row) { return plan_data[pc.query_tile_tokens_base + plan_data[pc.query_tile_offsets_base + tile] + row]; }

int key_tile_size(int tile) { return plan_data[pc.key_tile_offsets_base + tile + 1] - plan_data[pc.key_tile_offsets_base + tile]; }
int key_tile_token(int tile, int row) { return plan_data[pc.key_tile_tokens_base + plan_data[pc.key_tile_offsets_base + tile] + row]; }

// Visit v of the plan: visits[2v] is its key tile, visits[2v + 1] is 1 when it is FULL (no mask).
int visit_key_tile(int visit) { return plan_data[pc.visits_base + 2 * visit]; }
bool visit_is_full(int visit) { return plan_data[pc.visits_base + 2 * visit + 1] != 0; }
int visit_offset(int query_tile) { return plan_data[pc.visit_offsets_base + query_tile]; }

// A contiguous run of one output tile's visits (WorkSegment): visits [visit_begin, visit_end)
// index the `visits` table directly; `slot` is its partial-result slot (split-KV, lean).
struct WorkSegment {
    int batch;
    int head;
    int query_tile;
    int visit_begin;
    int visit_end;
    int slot;
};

// An output tile (batch, head, query tile), numbered batch-major, then head (WorkPartition.outputTile).
struct OutputTile {
    int batch;
    int head;
    int query_tile;
};

OutputTile decode_output_tile(int index) {
    return OutputTile(index / (pc.query_tiles * pc.heads), (index / pc.query_tiles) % pc.heads, index % pc.query_tiles);
}

// Flash: work-group g computes output tile g over all of its query tile's visits.
WorkSegment flash_segment(int group) {
    const OutputTile tile = decode_output_tile(group);
    return WorkSegment(tile.batch, tile.head, tile.query_tile, visit_offset(tile.query_tile), visit_offset(tile.query_tile + 1), 0);
}

// ---- Mask predicate ------------------------------------------------------------------------------
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
// (query grid = key grid, pc.grid_<axis> tokens per axis).
bool neighborhood_mask_allows(int query, int key) {
    int q = query, k = key;
    const int q1 = q % pc.grid_1, k1 = k % pc.grid_1;
    q /= pc.grid_1;
    k /= pc.grid_1;
    const int q0 = q, k0 = k;
    return neighborhood_axis_allows(q0, k0, pc.grid_0, NA_WINDOW_0, NA_STRIDE_0, NA_DILATION_0, NA_CAUSAL_0)
        && neighborhood_axis_allows(q1, k1, pc.grid_1, NA_WINDOW_1, NA_STRIDE_1, NA_DILATION_1, NA_CAUSAL_1);
}

// ---- Work-group registers: the IR's tiles (shared) and this invocation's accumulator (private) ----
shared int query_rows[MAX_QUERY_ROWS];             // flat tokens of the query tile
shared int panel_tokens[PANEL_KEYS];               // flat tokens of the panel's keys, in visit order
shared int panel_masked[PANEL_KEYS];               // 1 where the key's visit is PARTIAL (needs the mask)
shared float q_tile[MAX_QUERY_ROWS * HEAD_DIM];    // Q
shared float k_chunk[KEY_CHUNK * HEAD_DIM];        // K: one chunk of the panel's keys
shared float v_chunk[KEY_CHUNK * VALUE_DIM];       // V: the same chunk
shared float scores[MAX_QUERY_ROWS * KEY_CHUNK];   // S, then P = exp(S - m)
shared float m[MAX_QUERY_ROWS], l[MAX_QUERY_ROWS]; // running max and sum per row
shared float rescale[MAX_QUERY_ROWS];              // exp(m_old - m_new) of the current chunk
float acc[ACC_STEPS];                              // unnormalised output: element step * WG_SIZE + local_id()

// ---- Tile operations ---------------------------------------------------------------------------

// A panel: visits [begin, end) whose key tiles together hold `keys` <= PANEL_KEYS rows.
struct KeyPanel {
    int begin;
    int end;
    int keys;
};

// Groups consecutive visits from `begin` while the next still fits in PANEL_KEYS rows (the CPU
// interpreter's grouping), and gathers the panel's key tokens, in visit order, into
// `panel_tokens`, with `panel_masked` = 1 for the columns of PARTIAL visits.
KeyPanel gather_panel(int begin, int end) {
    const int lid = local_id();
    KeyPanel panel = KeyPanel(begin, begin + 1, key_tile_size(visit_key_tile(begin)));
    while (panel.end < end) {
        const int next = key_tile_size(visit_key_tile(panel.end));
        if (panel.keys + next > PANEL_KEYS) break;
        panel.keys += next;
        panel.end += 1;
    }
    int column = 0;
    for (int v = panel.begin; v < panel.end; ++v) {
        const int tile = visit_key_tile(v);
        const int count = key_tile_size(tile);
        const int masked = visit_is_full(v) ? 0 : 1;
        for (int step = 0; step < KEY_TILE_STEPS; ++step) {
            const int t = step * WG_SIZE + lid;
            if (t < count) {
                panel_tokens[column + t] = key_tile_token(tile, t);
                panel_masked[column + t] = masked;
            }
        }
        column += count;
    }
    workgroup_sync();
    return panel;
}

// The query tile's tokens into `query_rows`, then its rows of q into `q_tile`, widened to float32.
void load_query_tile(WorkSegment segment, int rows) {
    const int lid = local_id();
    for (int step = 0; step < ROW_STEPS; ++step) {
        const int r = step * WG_SIZE + lid;
        if (r < rows) query_rows[r] = query_tile_token(segment.query_tile, r);
    }
    workgroup_sync();
    for (int step = 0; step < QUERY_STEPS; ++step) {
        const int e = step * WG_SIZE + lid;
        const int r = e / HEAD_DIM;
        if (r < rows) {
            const uint row = tensor_row(segment.batch, query_rows[r], pc.query_tokens, pc.heads, segment.head);
            q_tile[e] = load_q(row * uint(HEAD_DIM) + uint(e % HEAD_DIM));
        }
    }
    workgroup_sync();
}

// (m, l, acc) <- (-inf, 0, 0) for the tile's rows.
void init_state(int rows) {
    const int lid = local_id();
    for (int step = 0; step < ROW_STEPS; ++step) {
        const int r = step * WG_SIZE + lid;
        if (r < rows) {
            m[r] = NEG_INF;
            l[r] = 0.0;
        }
    }
    for (int step = 0; step < ACC_STEPS; ++step) acc[step] = 0.0;
    workgroup_sync();
}

// K <- k rows of the panel's keys [first, first + keys), widened to float32.
void load_key_chunk(int batch, int kv_head, int first, int keys) {
    const int lid = local_id();
    for (int step = 0; step < KEY_STEPS; ++step) {
        const int e = step * WG_SIZE + lid;
        const int c = e / HEAD_DIM;
        if (c < keys) {
            const uint row = tensor_row(batch, panel_tokens[first + c], pc.key_tokens, pc.kv_heads, kv_head);
            k_chunk[e] = load_k(row * uint(HEAD_DIM) + uint(e % HEAD_DIM));
        }
    }
    workgroup_sync();
}

// V <- v rows of the panel's keys [first, first + keys), widened to float32.
void load_value_chunk(int batch, int kv_head, int first, int keys) {
    const int lid = local_id();
    for (int step = 0; step < VALUE_STEPS; ++step) {
        const int e = step * WG_SIZE + lid;
        const int c = e / VALUE_DIM;
        if (c < keys) {
            const uint row = tensor_row(batch, panel_tokens[first + c], pc.key_tokens, pc.kv_heads, kv_head);
            v_chunk[e] = load_v(row * uint(VALUE_DIM) + uint(e % VALUE_DIM));
        }
    }
    workgroup_sync();
}

// S <- scale * Q*K^T over the chunk's keys.
void compute_scores(int rows, int keys) {
    const int lid = local_id();
    for (int step = 0; step < SCORE_STEPS; ++step) {
        const int e = step * WG_SIZE + lid;
        const int r = e / KEY_CHUNK, c = e % KEY_CHUNK;
        if (r < rows && c < keys) {
            float dot = 0.0;
            [[unroll]] for (int x = 0; x < HEAD_DIM; ++x) dot += q_tile[r * HEAD_DIM + x] * k_chunk[c * HEAD_DIM + x];
            scores[e] = pc.scale * dot;
        }
    }
    workgroup_sync();
}

// S[r][c] <- -inf where the mask disallows (query r, key c), in the chunk's columns that come
// from PARTIAL visits only (panel_masked): columns of FULL visits never evaluate the mask.
void mask_partial_visits(int rows, int first, int keys) {
    const int lid = local_id();
    for (int step = 0; step < SCORE_STEPS; ++step) {
        const int e = step * WG_SIZE + lid;
        const int r = e / KEY_CHUNK, c = e % KEY_CHUNK;
        if (r < rows && c < keys && panel_masked[first + c] != 0 && !neighborhood_mask_allows(query_rows[r], panel_tokens[first + c])) {
            scores[e] = NEG_INF;
        }
    }
    workgroup_sync();
}

// Online softmax, one invocation per row: m' = max(m, rowmax S), l and acc rescaled by
// exp(m - m'), S <- exp(S - m'), l += rowsum S. A row whose keys so far are all masked keeps
// l = 0 and gets S = 0 (no -inf - -inf = NaN).
void softmax_update(int rows, int keys) {
    const int lid = local_id();
    for (int step = 0; step < ROW_STEPS; ++step) {
        const int r = step * WG_SIZE + lid;
        if (r < rows) {
            float row_max = NEG_INF;
            for (int c = 0; c < KEY_CHUNK; ++c) {
                if (c < keys) row_max = max(row_max, scores[r * KEY_CHUNK + c]);
            }
            const float m_new = max(m[r], row_max);
            if (m_new == NEG_INF) {
                for (int c = 0; c < KEY_CHUNK; ++c) scores[r * KEY_CHUNK + c] = 0.0;
                rescale[r] = 1.0;
            } else {
                const float correction = m[r] == NEG_INF ? 0.0 : exp(m[r] - m_new);
                float sum = 0.0;
                for (int c = 0; c < KEY_CHUNK; ++c) {
                    if (c < keys) {
                        const float s = scores[r * KEY_CHUNK + c];
                        const float p = s == NEG_INF ? 0.0 : exp(s - m_new);
                        scores[r * KEY_CHUNK + c] = p;
                        sum += p;
                    }
                }
                l[r] = l[r] * correction + sum;
                m[r] = m_new;
                rescale[r] = correction;
            }
        }
    }
    workgroup_sync();
    for (int step = 0; step < ACC_STEPS; ++step) {
        const int r = (step * WG_SIZE + lid) / VALUE_DIM;
        if (r < rows) acc[step] *= rescale[r];
    }
}

// acc <- acc + S*V over the chunk's keys. Ends with a barrier: the next chunk overwrites S and V.
void accumulate(int rows, int keys) {
    const int lid = local_id();
    for (int step = 0; step < ACC_STEPS; ++step) {
        const int e = step * WG_SIZE + lid;
        const int r = e / VALUE_DIM, x = e % VALUE_DIM;
        if (r < rows) {
            float sum = 0.0;
            for (int c = 0; c < KEY_CHUNK; ++c) {
                if (c < keys) sum += scores[r * KEY_CHUNK + c] * v_chunk[c * VALUE_DIM + x];
            }
            acc[step] += sum;
        }
    }
    workgroup_sync();
}

// out <- acc / l and lse <- m + log l (natural log) at the tile's rows; 0 and -inf for rows
// that saw no key (l = 0).
void store_output(WorkSegment segment, int rows) {
    const int lid = local_id();
    for (int step = 0; step < ACC_STEPS; ++step) {
        const int e = step * WG_SIZE + lid;
        const int r = e / VALUE_DIM;
        if (r < rows) {
            const uint row = tensor_row(segment.batch, query_rows[r], pc.query_tokens, pc.heads, segment.head);
            output_data[row * uint(VALUE_DIM) + uint(e % VALUE_DIM)] = l[r] == 0.0 ? 0.0 : acc[step] / l[r];
        }
    }
    for (int step = 0; step < ROW_STEPS; ++step) {
        const int r = step * WG_SIZE + lid;
        if (r < rows) {
            const uint row = tensor_row(segment.batch, query_rows[r], pc.query_tokens, pc.heads, segment.head);
            lse_data[row] = l[r] == 0.0 ? NEG_INF : m[r] + log(l[r]);
        }
    }
    workgroup_sync();
}

// ---- Kernel attention_flash ---------------------------------------------------------------------
void main() {
    const int group = int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x);
    if (group >= pc.batch * pc.heads * pc.query_tiles) return;  // padding of the folded (x, y) dispatch; uniform per work-group

    // for segment in workgroup.segments: flash has one, the work-group's output tile with all its visits
    const WorkSegment segment = flash_segment(group);
    const int rows = query_tile_size(segment.query_tile);
    const int kv_head = segment.head / (pc.heads / pc.kv_heads);  // GQA: query head h reads kv head h / (heads / kv_heads)
    // Q <- load q[batch, segment.queryTile, head]
    load_query_tile(segment, rows);
    // (m, l, acc) <- (-inf, 0, 0)
    init_state(rows);
    // for panel in plan.visits(segment.queryTile)[segment.range], up to PANEL_KEYS keys each:
    for (int next = segment.visit_begin; next < segment.visit_end;) {
        const KeyPanel panel = gather_panel(next, segment.visit_end);
        // The panel's keys in chunks of KEY_CHUNK, what shared memory holds of K, V and S at once;
        // online softmax makes the chunking invisible up to float32 rounding.
        for (int first = 0; first < panel.keys; first += KEY_CHUNK) {
            const int keys = min(KEY_CHUNK, panel.keys - first);
            // K <- load k[batch, panel.keyTiles, kvHead(head)]
            load_key_chunk(segment.batch, kv_head, first, keys);
            // V <- load v[batch, panel.keyTiles, kvHead(head)]
            load_value_chunk(segment.batch, kv_head, first, keys);
            // S <- scale * Q*K^T
            compute_scores(rows, keys);
            // for visit in panel where visit is PARTIAL: S[:, visit] <- -inf where !mask.allows
            mask_partial_visits(rows, first, keys);
            // (m, l, acc, S) <- online_softmax(m, l, acc, S)
            softmax_update(rows, keys);
            // acc <- acc + S*V
            accumulate(rows, keys);
        }
        next = panel.end;
    }
    // store out <- acc / l, lse <- m + log l (0, -inf where l = 0)
    store_output(segment, rows);
}
