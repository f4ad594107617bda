/*
 * CAttentionKernels: small float32 tile micro-kernels for flash attention.
 *
 * All matrices are row-major with explicit leading dimensions (in elements).
 * Every function is thread-safe (no shared mutable state apart from the
 * once-resolved implementation pointer) and allocation-free.
 * The best implementation for the running CPU (AVX-512, AVX2+FMA or portable
 * scalar C) is picked on first use; no special compiler flags are required.
 */
#ifndef CATTENTIONKERNELS_H
#define CATTENTIONKERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Name of the implementation in use: "avx512", "avx2" or "scalar".
const char *ag_kernels_isa(void);

/// Forces an implementation (for tests/benchmarks): 0 = auto (best available),
/// 1 = scalar, 2 = avx2, 3 = avx512. Returns 0 on success, -1 if the CPU
/// (or this build/architecture) lacks it; the selection is then unchanged.
/// Process-wide: affects all threads.
int ag_kernels_force_isa(int isa);

/// S[M x N] = alpha * A[M x K] * B[N x K]^T  (S is overwritten), i.e. scale * Q K^T.
void ag_gemm_abt(int M, int N, int K, float alpha,
                 const float *A, int lda, const float *B, int ldb,
                 float *S, int lds);

/// C[M x N] = alpha * A[M x K] * B[K x N]  (C is overwritten): scale * Q K^T when B is K
/// already transposed (no per-call packing).
void ag_gemm_ab(int M, int N, int K, float alpha,
                const float *A, int lda, const float *B, int ldb,
                float *C, int ldc);

/// C[M x N] += A[M x K] * B[K x N], i.e. O += P V.
void ag_gemm_ab_acc(int M, int N, int K,
                    const float *A, int lda, const float *B, int ldb,
                    float *C, int ldc);

/// ag_gemm_abt with row j of B (K floats) at rows[j]: the scores of keys gathered by pointer,
/// not copied (a neighborhood's trimmed key tiles, rows of a paged cache).
void ag_gemm_abt_rows(int M, int N, int K, float alpha,
                      const float *A, int lda, const float *const *rows,
                      float *S, int lds);

/// ag_gemm_ab_acc with row k of B (N floats) at rows[k]: O += P V over values gathered by pointer.
void ag_gemm_ab_acc_rows(int M, int N, int K,
                         const float *A, int lda, const float *const *rows,
                         float *C, int ldc);

/// S[r][j] = -INFINITY where bit (j % 16) of bits[r * ldbits + j / 16] is clear, for r < M,
/// j < N; set bits leave the score as it is. A PARTIAL tile's mask, computed once as bits.
void ag_mask_bits(int M, int N, float *S, int lds, const uint16_t *bits, int ldbits);

/// dst[r][j] += src[r * lds + j] for r < M, j < N: a tile's gradient rows added to rows that
/// are not evenly spaced (a 2-D query tile's dQ rows). dst rows must not overlap src.
void ag_add_rows(int M, int N, const float *src, int lds, float *const *dst);

/// Online-softmax (FlashAttention-2) update with one key tile, per row r < M:
///   mnew = max(m[r], max_j<N S[r][j]);
///   if mnew == -inf (row fully masked so far): S[r][0..N) = 0, m/l/acc untouched;
///   else c = exp(m[r] - mnew) (0 if m[r] == -inf); l[r] *= c; acc[r][0..DV) *= c;
///        S[r][j] = exp(S[r][j] - mnew) (exactly 0 for -inf); l[r] += sum_j S[r][j]; m[r] = mnew.
/// Masked scores must be -INFINITY. Initialise m = -INFINITY, l = 0, acc = 0.
void ag_softmax_update(int M, int N, float *S, int lds,
                       float *m, float *l, float *acc, int ldacc, int DV);

/// Finalise: acc[r][0..DV) /= l[r]; lse[r] = m[r] + log(l[r]).
/// Rows with l[r] == 0 (fully masked): acc row = 0, lse[r] = -INFINITY.
/// lse may be NULL.
void ag_softmax_finalize(int M, int DV, float *acc, int ldacc,
                         const float *m, const float *l, float *lse);

/// Backward of one tile (FlashAttention-2), per row r < M and column j < N:
///   P = exp(S[r][j] - lse[r])  (exactly 0 where S = -inf, and for rows with lse[r] = -inf);
///   S[r][j] = P;  dP[r][j] = scale * P * (dP[r][j] - D[r])  (dS, with the softmax scale folded in).
/// S holds the scaled, masked scores; dP holds dO·V^T; D[r] = rowsum(dO ∘ O).
void ag_softmax_gradient(int M, int N, float *S, int lds, float *dP, int lddp,
                         const float *lse, const float *D, float scale);

/// Score modifiers on the scaled scores S[M x N], in place, per row r < M and column j < N:
///   softcap > 0:  S[r][j] = softcap * tanh(S[r][j] / softcap), and when cap_slopes is not NULL
///                 cap_slopes[r][j] = 1 - tanh^2 (the softcap's derivative, for the backward);
///   slope != 0:   S[r][j] -= slope * |query_positions[r] - key_positions[j]| (ALiBi; the
///                 caller aligns the positions: query token + Sk - Sq, key token).
/// softcap <= 0 and slope == 0 skip their step. NaN stays NaN; +-inf becomes +-softcap.
void ag_modify_scores(int M, int N, float *S, int lds, float softcap, float slope,
                      const int64_t *query_positions, const int64_t *key_positions,
                      float *cap_slopes, int ldc);

/// A[r][j] *= B[r][j] for r < M, j < N (the softcap's chain rule on dS).
void ag_multiply_elementwise(int M, int N, float *A, int lda, const float *B, int ldb);

/// tanh(x) to a few ulp (portable, no libm).
float ag_tanhf(float x);

/// B[N x M] = A[M x N]^T.
void ag_transpose(int M, int N, const float *A, int lda, float *B, int ldb);

/// IEEE binary16 -> float32, exact (subnormals, inf, NaN included).
void ag_f16_to_f32(const uint16_t *src, float *dst, long n);
/// float32 -> IEEE binary16, round-to-nearest-even, overflow -> inf, NaN stays NaN.
void ag_f32_to_f16(const float *src, uint16_t *dst, long n);
/// bfloat16 -> float32 (exact).
void ag_bf16_to_f32(const uint16_t *src, float *dst, long n);
/// float32 -> bfloat16, round-to-nearest-even, NaN stays NaN (quietened).
void ag_f32_to_bf16(const float *src, uint16_t *dst, long n);
/// 1 if every float reads back bit for bit after a round trip through binary16 (resp.
/// bfloat16), else 0: one read of `src`, no stores. A NaN is exact only when quiet with a
/// payload the 16-bit type holds.
int ag_f16_exact(const float *src, long n);
int ag_bf16_exact(const float *src, long n);
/// ag_f16_exact (bfloat16 = 0) or ag_bf16_exact (bfloat16 != 0) over `rows` rows of `width`
/// floats, `ld` floats apart: 1 when every one holds exactly, else 0.
int ag_exact_rows(int bfloat16, const float *src, long rows, long width, long ld);
/// One of the functions above (0 f16→f32, 1 f32→f16, 2 bf16→f32, 3 f32→bf16, 4 f16_exact and
/// 5 bf16_exact, whose answer goes to `*(int *)dst`) on the implementation numbered as in
/// ag_kernels_force_isa, leaving the process-wide selection alone (for tests of every ISA the
/// CPU has). Returns 0, or -1 for an ISA this CPU lacks or a bad conversion number.
int ag_convert_on_isa(int isa, int conversion, const void *src, void *dst, long n);
/// ag_exact_rows on the implementation numbered as in ag_kernels_force_isa (for tests): 1 or 0,
/// or -1 for an ISA this CPU lacks.
int ag_exact_rows_on_isa(int isa, int bfloat16, const float *src, long rows, long width, long ld);

/// The products, by number for ag_gemm_on_isa.
enum { AG_GEMM_ABT = 0, AG_GEMM_ABT_ROWS = 1, AG_GEMM_AB = 2, AG_GEMM_AB_ACC = 3, AG_GEMM_AB_ACC_ROWS = 4 };
/// One product on the implementation numbered as in ag_kernels_force_isa (for tests of every
/// ISA): B strided (B, ldb) or, for the _ROWS products, the row list `rows`; alpha is unused
/// by the accumulating ones. Returns 0, or -1 for an ISA this CPU lacks or a bad product number.
int ag_gemm_on_isa(int isa, int op, int M, int N, int K, float alpha, const float *A, int lda,
                   const float *B, int ldb, const float *const *rows, float *C, int ldc);
/// ag_mask_bits and ag_transpose on one implementation (for tests): 0, or -1 for a missing ISA.
int ag_mask_bits_on_isa(int isa, int M, int N, float *S, int lds, const uint16_t *bits, int ldbits);
int ag_transpose_on_isa(int isa, int M, int N, const float *A, int lda, float *B, int ldb);

#ifdef __cplusplus
}
#endif

#endif /* CATTENTIONKERNELS_H */
