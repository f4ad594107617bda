/* Private header: implementation table shared by the per-ISA files. */
#ifndef AG_INTERNAL_H
#define AG_INTERNAL_H

#include <stdint.h>
#include "CAttentionKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#define AG_X86 1
/* Per-function targets: SwiftPM builds this target without -m flags. */
#define AG_TARGET_AVX2   __attribute__((target("avx,avx2,fma,f16c")))
#define AG_TARGET_AVX512 __attribute__((target("avx,avx2,fma,f16c,avx512f,avx512vl,avx512dq,avx512bw")))
#else
#define AG_X86 0
#endif

/* Builtins instead of <math.h>/<string.h>: keeps the target free of libc/libm deps. */
#define AG_INF (__builtin_inff())
#define AG_NAN (__builtin_nanf(""))
#define AG_MEMCPY(d, s, n) __builtin_memcpy(d, s, n)

/* Helpers must be inlined even at -O0, otherwise vectors round-trip through calls. */
#define AG_INLINE static inline __attribute__((always_inline))

/* A row whose maximum is still -inf: masked scores (-inf) give P = 0, but NaN scores (NaN in q
   or k) have no maximum either and must reach l and acc, so the row comes out NaN
   (FlashAttention's rule: NaN in, NaN out), never 0 with lse -inf. */
AG_INLINE void ag_softmax_row_without_max(float *s, int N, float *l) {
    float sum = 0.0f;
    for (int j = 0; j < N; j++) {
        if (s[j] == -AG_INF) s[j] = 0.0f;
        else sum += s[j];
    }
    *l += sum;
}

/* Column-chunk width for the packed B^T panel in gemm_abt, and k-chunk depth.
   64 x 128 floats = 32 KiB of stack: fits L1 and any reasonable thread stack. */
#define AG_NC 64
#define AG_KC 128

typedef struct ag_impl {
    const char *name;
    void (*gemm_abt)(int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float *S, int lds);
    void (*gemm_ab_acc)(int M, int N, int K, const float *A, int lda,
                        const float *B, int ldb, float *C, int ldc);
    void (*gemm_ab)(int M, int N, int K, float alpha, const float *A, int lda,
                    const float *B, int ldb, float *C, int ldc);
    void (*gemm_abt_rows)(int M, int N, int K, float alpha, const float *A, int lda,
                          const float *const *rows, float *S, int lds);
    void (*gemm_ab_acc_rows)(int M, int N, int K, const float *A, int lda,
                             const float *const *rows, float *C, int ldc);
    void (*mask_bits)(int M, int N, float *S, int lds, const uint16_t *bits, int ldbits);
    void (*transpose)(int M, int N, const float *A, int lda, float *B, int ldb);
    void (*softmax_update)(int M, int N, float *S, int lds, float *m, float *l,
                           float *acc, int ldacc, int DV);
    void (*softmax_finalize)(int M, int DV, float *acc, int ldacc,
                             const float *m, const float *l, float *lse);
    void (*softmax_gradient)(int M, int N, float *S, int lds, float *dP, int lddp,
                             const float *lse, const float *D, float scale);
    void (*f16_to_f32)(const uint16_t *src, float *dst, long n);
    void (*f32_to_f16)(const float *src, uint16_t *dst, long n);
    void (*bf16_to_f32)(const uint16_t *src, float *dst, long n);
    void (*f32_to_bf16)(const float *src, uint16_t *dst, long n);
    int (*f16_exact)(const float *src, long n);
    int (*bf16_exact)(const float *src, long n);
    int (*f16_exact_rows)(const float *src, long rows, long width, long ld);
    int (*bf16_exact_rows)(const float *src, long rows, long width, long ld);
} ag_impl;

/* Every ISA provides the same set of functions with a suffix; dispatch.c builds the tables. */
#define AG_DECLARE_ISA(sfx)                                                                  \
    void ag_gemm_abt_##sfx(int M, int N, int K, float alpha, const float *A, int lda,      \
                           const float *B, int ldb, float *S, int lds);                    \
    void ag_gemm_ab_acc_##sfx(int M, int N, int K, const float *A, int lda,                \
                              const float *B, int ldb, float *C, int ldc);                 \
    void ag_gemm_ab_##sfx(int M, int N, int K, float alpha, const float *A, int lda,       \
                          const float *B, int ldb, float *C, int ldc);                     \
    void ag_gemm_abt_rows_##sfx(int M, int N, int K, float alpha, const float *A, int lda, \
                                const float *const *rows, float *S, int lds);              \
    void ag_gemm_ab_acc_rows_##sfx(int M, int N, int K, const float *A, int lda,           \
                                   const float *const *rows, float *C, int ldc);           \
    void ag_mask_bits_##sfx(int M, int N, float *S, int lds, const uint16_t *bits, int ldbits); \
    void ag_transpose_##sfx(int M, int N, const float *A, int lda, float *B, int ldb);     \
    void ag_softmax_update_##sfx(int M, int N, float *S, int lds, float *m, float *l,      \
                                 float *acc, int ldacc, int DV);                           \
    void ag_softmax_finalize_##sfx(int M, int DV, float *acc, int ldacc,                   \
                                   const float *m, const float *l, float *lse);            \
    void ag_softmax_gradient_##sfx(int M, int N, float *S, int lds, float *dP, int lddp,    \
                                   const float *lse, const float *D, float scale);         \
    void ag_f16_to_f32_##sfx(const uint16_t *src, float *dst, long n);                     \
    void ag_f32_to_f16_##sfx(const float *src, uint16_t *dst, long n);                     \
    void ag_bf16_to_f32_##sfx(const uint16_t *src, float *dst, long n);                    \
    void ag_f32_to_bf16_##sfx(const float *src, uint16_t *dst, long n);                    \
    int ag_f16_exact_##sfx(const float *src, long n);                                      \
    int ag_bf16_exact_##sfx(const float *src, long n);                                     \
    int ag_f16_exact_rows_##sfx(const float *src, long rows, long width, long ld);         \
    int ag_bf16_exact_rows_##sfx(const float *src, long rows, long width, long ld);

/* The row-by-row exactness scans of an ISA whose single scans carry no per-call cost worth folding. */
#define AG_EXACT_ROWS_BY_ROW(sfx)                                                            \
    int ag_f16_exact_rows_##sfx(const float *src, long rows, long width, long ld) {        \
        for (long r = 0; r < rows; r++)                                                     \
            if (!ag_f16_exact_##sfx(src + r * ld, width)) return 0;                         \
        return 1;                                                                           \
    }                                                                                       \
    int ag_bf16_exact_rows_##sfx(const float *src, long rows, long width, long ld) {       \
        for (long r = 0; r < rows; r++)                                                     \
            if (!ag_bf16_exact_##sfx(src + r * ld, width)) return 0;                        \
        return 1;                                                                           \
    }

AG_DECLARE_ISA(scalar)
#if AG_X86
AG_DECLARE_ISA(avx2)
AG_DECLARE_ISA(avx512)
#endif

/* Own exp/log (no libm dependency); same algorithm as the SIMD code. */
float ag_expf(float x);
float ag_logf(float x);

#if AG_X86
/* Vector exp over an array; only used by the test harness to check accuracy. */
void ag_exp_avx2(const float *x, float *y, long n);
void ag_exp_avx512(const float *x, float *y, long n);
#endif

/* exp(x) = 2^n * e^r, n = round(x*log2e), r = x - n*ln2 (Cody-Waite split,
   C1 has 9 significant bits so n*C1 is exact), e^r by a degree-7 (Cephes) polynomial,
   accurate to ~1 ulp on [-ln2/2, ln2/2]. */
#define AG_EXP_HI      89.0f                  /* clamp: result already overflows to +inf */
#define AG_EXP_LO    (-104.0f)                /* below: result rounds to 0 */
#define AG_LOG2E       1.44269504088896341f
#define AG_LN2_C1      0.693359375f
#define AG_LN2_C2    (-2.12194440e-4f)
#define AG_EXP_P0      1.9875691500e-4f
#define AG_EXP_P1      1.3981999507e-3f
#define AG_EXP_P2      8.3334519073e-3f
#define AG_EXP_P3      4.1665795894e-2f
#define AG_EXP_P4      1.6666665459e-1f
#define AG_EXP_P5      5.0000001201e-1f

#endif /* AG_INTERNAL_H */
