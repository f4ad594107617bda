/// The named helper functions the shaders call, one per tile operation of the IR. Every helper
/// is called by all invocations of the work-group in uniform control flow, spreads its elements
/// over them (element `e = step * WG_SIZE + local_id()` in an `[[unroll]]` loop with a
/// compile-time trip count, so no real loop is left) and ends with `workgroup_sync()` where the
/// next step reads what it wrote. Shared tiles are row-major: Q with rows of HEAD_DIM, the K and
/// V chunks with one row per key, S with rows of KEY_CHUNK. The accumulator `acc` is private:
/// invocation `i` owns elements `step * WG_SIZE + i` of the MAX_QUERY_ROWS x VALUE_DIM tile.
enum GLSLTileHelpers {
    static func attention(maskFunction: String) -> String {
        """
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
                [[unroll]] for (int step = 0; step < KEY_TILE_STEPS; ++step) {
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
            [[unroll]] for (int step = 0; step < ROW_STEPS; ++step) {
                const int r = step * WG_SIZE + lid;
                if (r < rows) query_rows[r] = query_tile_token(segment.query_tile, r);
            }
            workgroup_sync();
            [[unroll]] for (int step = 0; step < QUERY_STEPS; ++step) {
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
            [[unroll]] for (int step = 0; step < ROW_STEPS; ++step) {
                const int r = step * WG_SIZE + lid;
                if (r < rows) {
                    m[r] = NEG_INF;
                    l[r] = 0.0;
                }
            }
            [[unroll]] for (int step = 0; step < ACC_STEPS; ++step) acc[step] = 0.0;
            workgroup_sync();
        }

        // K <- k rows of the panel's keys [first, first + keys), widened to float32.
        void load_key_chunk(int batch, int kv_head, int first, int keys) {
            const int lid = local_id();
            [[unroll]] for (int step = 0; step < KEY_STEPS; ++step) {
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
            [[unroll]] for (int step = 0; step < VALUE_STEPS; ++step) {
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
            [[unroll]] for (int step = 0; step < SCORE_STEPS; ++step) {
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
            [[unroll]] for (int step = 0; step < SCORE_STEPS; ++step) {
                const int e = step * WG_SIZE + lid;
                const int r = e / KEY_CHUNK, c = e % KEY_CHUNK;
                if (r < rows && c < keys && panel_masked[first + c] != 0 && !\(maskFunction)(query_rows[r], panel_tokens[first + c])) {
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
            [[unroll]] for (int step = 0; step < ROW_STEPS; ++step) {
                const int r = step * WG_SIZE + lid;
                if (r < rows) {
                    float row_max = NEG_INF;
                    [[unroll]] for (int c = 0; c < KEY_CHUNK; ++c) {
                        if (c < keys) row_max = max(row_max, scores[r * KEY_CHUNK + c]);
                    }
                    const float m_new = max(m[r], row_max);
                    if (m_new == NEG_INF) {
                        [[unroll]] for (int c = 0; c < KEY_CHUNK; ++c) scores[r * KEY_CHUNK + c] = 0.0;
                        rescale[r] = 1.0;
                    } else {
                        const float correction = m[r] == NEG_INF ? 0.0 : exp(m[r] - m_new);
                        float sum = 0.0;
                        [[unroll]] for (int c = 0; c < KEY_CHUNK; ++c) {
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
            [[unroll]] for (int step = 0; step < ACC_STEPS; ++step) {
                const int r = (step * WG_SIZE + lid) / VALUE_DIM;
                if (r < rows) acc[step] *= rescale[r];
            }
        }

        // acc <- acc + S*V over the chunk's keys. Ends with a barrier: the next chunk overwrites S and V.
        void accumulate(int rows, int keys) {
            const int lid = local_id();
            [[unroll]] for (int step = 0; step < ACC_STEPS; ++step) {
                const int e = step * WG_SIZE + lid;
                const int r = e / VALUE_DIM, x = e % VALUE_DIM;
                if (r < rows) {
                    float sum = 0.0;
                    [[unroll]] for (int c = 0; c < KEY_CHUNK; ++c) {
                        if (c < keys) sum += scores[r * KEY_CHUNK + c] * v_chunk[c * VALUE_DIM + x];
                    }
                    acc[step] += sum;
                }
            }
            workgroup_sync();
        }
        """
    }

    static let storeOutput = """
        // out <- acc / l and lse <- m + log l (natural log) at the tile's rows; 0 and -inf for rows
        // that saw no key (l = 0).
        void store_output(WorkSegment segment, int rows) {
            const int lid = local_id();
            [[unroll]] for (int step = 0; step < ACC_STEPS; ++step) {
                const int e = step * WG_SIZE + lid;
                const int r = e / VALUE_DIM;
                if (r < rows) {
                    const uint row = tensor_row(segment.batch, query_rows[r], pc.query_tokens, pc.heads, segment.head);
                    output_data[row * uint(VALUE_DIM) + uint(e % VALUE_DIM)] = l[r] == 0.0 ? 0.0 : acc[step] / l[r];
                }
            }
            [[unroll]] for (int step = 0; step < ROW_STEPS; ++step) {
                const int r = step * WG_SIZE + lid;
                if (r < rows) {
                    const uint row = tensor_row(segment.batch, query_rows[r], pc.query_tokens, pc.heads, segment.head);
                    lse_data[row] = l[r] == 0.0 ? NEG_INF : m[r] + log(l[r]);
                }
            }
            workgroup_sync();
        }
        """

    static let storePartial = """
        // partial[slot] <- (m, l, acc); a slot has room for MAX_QUERY_ROWS rows.
        void store_partial(int rows, int slot) {
            const int lid = local_id();
            [[unroll]] for (int step = 0; step < ROW_STEPS; ++step) {
                const int r = step * WG_SIZE + lid;
                if (r < rows) {
                    partial_m_data[slot * MAX_QUERY_ROWS + r] = m[r];
                    partial_l_data[slot * MAX_QUERY_ROWS + r] = l[r];
                }
            }
            [[unroll]] for (int step = 0; step < ACC_STEPS; ++step) {
                const int e = step * WG_SIZE + lid;
                if (e / VALUE_DIM < rows) partial_acc_data[uint(slot) * uint(MAX_QUERY_ROWS * VALUE_DIM) + uint(e)] = acc[step];
            }
            workgroup_sync();
        }
        """

    static let merge = """
        // ---- Merge -------------------------------------------------------------------------------------

        // (m, l, acc) <- (-inf, 0, 0) for every element this invocation owns.
        void init_state() {
            [[unroll]] for (int step = 0; step < ACC_STEPS; ++step) {
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
            [[unroll]] for (int step = 0; step < ACC_STEPS; ++step) {
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
            [[unroll]] for (int step = 0; step < ACC_STEPS; ++step) {
                const int e = step * WG_SIZE + lid;
                const int r = e / VALUE_DIM, x = e % VALUE_DIM;
                if (r < rows) {
                    const uint row = tensor_row(tile.batch, query_tile_token(tile.query_tile, r), pc.query_tokens, pc.heads, tile.head);
                    output_data[row * uint(VALUE_DIM) + uint(x)] = l[step] == 0.0 ? 0.0 : acc[step] / l[step];
                    if (x == 0) lse_data[row] = l[step] == 0.0 ? NEG_INF : m[step] + log(l[step]);
                }
            }
        }
        """
}
