/// The named helper functions the kernels call, one per tile operation of the IR. Every helper
/// is called by all work-items of the group, splits its elements over them (element `e` by
/// work-item `e mod WG_SIZE`) and ends with a barrier, so the next step sees its results.
/// Tile registers live in `__local` memory, row-major: Q and acc with rows of HEAD_DIM /
/// VALUE_DIM, K and V with one row per panel key, S with rows of PANEL_KEYS.
enum OpenCLTileHelpers {
    static func attention(maskFunction: String) -> String {
        """
        /* ---- Tile operations ---------------------------------------------------------------------- */

        /* A panel: visits [begin, end) whose key tiles together hold `keys` <= PANEL_KEYS rows. */
        typedef struct {
            int begin, end, keys;
        } key_panel;

        /* Groups consecutive visits from `begin` while the next still fits in PANEL_KEYS rows (the CPU
           interpreter's grouping), and gathers the panel's key tokens, in visit order, into `panel_tokens`. */
        key_panel gather_panel(int begin, int end, __global const int* visits, __global const int* key_tile_offsets,
                               __global const int* key_tile_tokens, __local int* panel_tokens) {
            key_panel panel = { begin, begin + 1, tile_size(key_tile_offsets, visit_key_tile(visits, begin)) };
            while (panel.end < end) {
                const int next = tile_size(key_tile_offsets, visit_key_tile(visits, panel.end));
                if (panel.keys + next > PANEL_KEYS) break;
                panel.keys += next;
                panel.end += 1;
            }
            int column = 0;
            for (int v = panel.begin; v < panel.end; ++v) {
                const int tile = visit_key_tile(visits, v);
                const int count = tile_size(key_tile_offsets, tile);
                for (int t = get_local_id(0); t < count; t += WG_SIZE) {
                    panel_tokens[column + t] = key_tile_tokens[key_tile_offsets[tile] + t];
                }
                column += count;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            return panel;
        }

        /* rows[r][x] = tensor[batch, tokens[r], head, x] for r < count, x < width, widened to float32.
           `grid_tokens` and `tensor_heads` are the tensor's token and head counts. */
        void load_rows(__local float* rows, __local const int* tokens, int count, int width, __global const storage_t* tensor,
                       int batch, int grid_tokens, int tensor_heads, int head) {
            /* The same trip count for every work-item, idle ones guarded: PoCL 3.1 vectorised the
               plain strided loop wrongly when it left lanes idle (16-bit storage, one-row tiles). */
            for (int base = 0; base < count * width; base += WG_SIZE) {
                const int e = base + (int)get_local_id(0);
                if (e >= count * width) break;
                const int r = e / width;
                const size_t row = ((size_t)batch * grid_tokens + tokens[r]) * tensor_heads + head;
                rows[e] = load_element(tensor, row * width + e % width);
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }

        /* columns[x][r] = tensor[batch, tokens[r], head, x]: the panel's keys transposed, so that
           in compute_scores neighbouring work-items (neighbouring keys) read neighbouring words. */
        void load_columns(__local float* columns, __local const int* tokens, int count, int width,
                          __global const storage_t* tensor, int batch, int grid_tokens, int tensor_heads, int head) {
            for (int base = 0; base < count * width; base += WG_SIZE) {  /* uniform trip count, as in load_rows */
                const int e = base + (int)get_local_id(0);
                if (e >= count * width) break;
                const int r = e / width;
                const size_t row = ((size_t)batch * grid_tokens + tokens[r]) * tensor_heads + head;
                columns[(e % width) * PANEL_KEYS + r] = load_element(tensor, row * width + e % width);
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }

        /* The query tile's tokens into `query_rows`, then its rows of q into `q_tile`. */
        void load_query_tile(__local int* query_rows, __local float* q_tile, __global const storage_t* q,
                             __global const int* query_tile_offsets, __global const int* query_tile_tokens,
                             work_segment segment, int rows, int heads, int query_tokens) {
            for (int r = get_local_id(0); r < rows; r += WG_SIZE) {
                query_rows[r] = query_tile_tokens[query_tile_offsets[segment.query_tile] + r];
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            load_rows(q_tile, query_rows, rows, HEAD_DIM, q, segment.batch, query_tokens, heads, segment.head);
        }

        /* (m, l, acc) <- (-inf, 0, 0) for the tile's rows. */
        void init_state(__local float* m, __local float* l, __local float* acc, int rows) {
            for (int r = get_local_id(0); r < rows; r += WG_SIZE) {
                m[r] = -INFINITY;
                l[r] = 0.0f;
            }
            for (int e = get_local_id(0); e < rows * VALUE_DIM; e += WG_SIZE) acc[e] = 0.0f;
            barrier(CLK_LOCAL_MEM_FENCE);
        }

        /* S <- scale * Q*K^T over the panel's keys (K held transposed: k_columns[x][c]). */
        void compute_scores(__local float* scores, __local const float* q_tile, __local const float* k_columns,
                            int rows, int keys, float scale) {
            for (int e = get_local_id(0); e < rows * keys; e += WG_SIZE) {
                const int r = e / keys, c = e % keys;
                float dot = 0.0f;
                for (int x = 0; x < HEAD_DIM; ++x) dot += q_tile[r * HEAD_DIM + x] * k_columns[x * PANEL_KEYS + c];
                scores[r * PANEL_KEYS + c] = scale * dot;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }

        /* S[r][c] <- -inf where the mask disallows (query r, key c), in the columns of the panel's
           PARTIAL visits only: FULL visits need no mask and are never evaluated. */
        void mask_partial_visits(__local float* scores, key_panel panel, __global const int* visits,
                                 __global const int* key_tile_offsets, __local const int* query_rows, int rows,
                                 __local const int* panel_tokens, const mask_params* mask) {
            int column = 0;
            for (int v = panel.begin; v < panel.end; ++v) {
                const int keys = tile_size(key_tile_offsets, visit_key_tile(visits, v));
                if (!visit_is_full(visits, v)) {
                    for (int e = get_local_id(0); e < rows * keys; e += WG_SIZE) {
                        const int r = e / keys, c = column + e % keys;
                        if (!\(maskFunction)(query_rows[r], panel_tokens[c], mask)) scores[r * PANEL_KEYS + c] = -INFINITY;
                    }
                }
                column += keys;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }

        /* Online softmax, one work-item per row: m' = max(m, rowmax S), l and acc rescaled by
           exp(m - m'), S <- exp(S - m'), l += rowsum S. A row with every key so far masked keeps
           l = 0 and gets S = 0 (no -inf - -inf = NaN). */
        void softmax_update(__local float* scores, __local float* m, __local float* l, __local float* rescale,
                            __local float* acc, int rows, int keys) {
            for (int r = get_local_id(0); r < rows; r += WG_SIZE) {
                __local float* s = scores + r * PANEL_KEYS;
                float row_max = -INFINITY;
                for (int c = 0; c < keys; ++c) row_max = fmax(row_max, s[c]);
                const float m_new = fmax(m[r], row_max);
                if (m_new == -INFINITY) {
                    for (int c = 0; c < keys; ++c) s[c] = 0.0f;
                    rescale[r] = 1.0f;
                    continue;
                }
                const float correction = m[r] == -INFINITY ? 0.0f : exp(m[r] - m_new);
                float sum = 0.0f;
                for (int c = 0; c < keys; ++c) {
                    const float p = s[c] == -INFINITY ? 0.0f : exp(s[c] - m_new);
                    s[c] = p;
                    sum += p;
                }
                l[r] = l[r] * correction + sum;
                m[r] = m_new;
                rescale[r] = correction;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int e = get_local_id(0); e < rows * VALUE_DIM; e += WG_SIZE) acc[e] *= rescale[e / VALUE_DIM];
            barrier(CLK_LOCAL_MEM_FENCE);
        }

        /* acc <- acc + S*V over the panel's keys. */
        void accumulate(__local float* acc, __local const float* scores, __local const float* v_panel, int rows, int keys) {
            for (int e = get_local_id(0); e < rows * VALUE_DIM; e += WG_SIZE) {
                const int r = e / VALUE_DIM, x = e % VALUE_DIM;
                float sum = 0.0f;
                for (int c = 0; c < keys; ++c) sum += scores[r * PANEL_KEYS + c] * v_panel[c * VALUE_DIM + x];
                acc[e] += sum;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        """
    }

    static let storeOutput = """
        /* out <- acc / l and lse <- m + log l (natural log) at the tile's rows; 0 and -inf for rows
           that saw no key (l = 0). */
        void store_output(__global float* output, __global float* lse, __local const float* m, __local const float* l,
                          __local const float* acc, __local const int* query_rows, int rows, work_segment segment,
                          int heads, int query_tokens) {
            for (int e = get_local_id(0); e < rows * VALUE_DIM; e += WG_SIZE) {
                const int r = e / VALUE_DIM;
                const size_t row = ((size_t)segment.batch * query_tokens + query_rows[r]) * heads + segment.head;
                output[row * VALUE_DIM + e % VALUE_DIM] = l[r] == 0.0f ? 0.0f : acc[e] / l[r];
            }
            for (int r = get_local_id(0); r < rows; r += WG_SIZE) {
                const size_t row = ((size_t)segment.batch * query_tokens + query_rows[r]) * heads + segment.head;
                lse[row] = l[r] == 0.0f ? -INFINITY : m[r] + log(l[r]);
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        """

    static let storePartial = """
        /* partial[slot] <- (m, l, acc); a slot has room for MAX_QUERY_ROWS rows. */
        void store_partial(__global float* partial_m, __global float* partial_l, __global float* partial_acc,
                           __local const float* m, __local const float* l, __local const float* acc, int rows, int slot) {
            for (int r = get_local_id(0); r < rows; r += WG_SIZE) {
                partial_m[slot * MAX_QUERY_ROWS + r] = m[r];
                partial_l[slot * MAX_QUERY_ROWS + r] = l[r];
            }
            for (int e = get_local_id(0); e < rows * VALUE_DIM; e += WG_SIZE) {
                partial_acc[(size_t)slot * MAX_QUERY_ROWS * VALUE_DIM + e] = acc[e];
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        """

    static let merge = """
        /* ---- Merge -------------------------------------------------------------------------------- */

        /* Log-sum-exp merge of one partial (m_i, l_i, acc_i) into (m, l, acc) for one output element:
           m' = max(m, m_i), l = l*exp(m - m') + l_i*exp(m_i - m'), acc likewise. An empty part
           (m_i = -inf, every key masked) adds nothing. Same arithmetic as the CPU interpreter. */
        void merge_partial(float* m, float* l, float* acc, float part_m, float part_l, float part_acc) {
            if (part_m == -INFINITY) return;
            const float merged = fmax(*m, part_m);
            const float own = *m == -INFINITY ? 0.0f : exp(*m - merged);
            const float other = exp(part_m - merged);
            *l = *l * own + part_l * other;
            *acc = *acc * own + part_acc * other;
            *m = merged;
        }
        """
}
