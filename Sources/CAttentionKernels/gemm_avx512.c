/* AVX-512 GEMM micro-kernels. Register blocking: up to 6 rows x 4 zmm (64 columns)
   of C stay in 24 accumulators; per k one broadcast of A per row and <= 4 loads of B.
   Kernels are written out by macros (not loops over arrays) so that the same code
   is register-allocated at -O2 and still reasonable at -O0. */
#include "ag_simd.h"
#if AG_X86

#define MR 6   /* rows per micro-tile */
/* B rows ahead that the A*B kernels prefetch: K and V read in place are rows of a
   [tokens, heads, dim] tensor, one head's row per 4 KB page at d128 x 8 heads, where the
   hardware prefetchers (which stop at page boundaries) leave every row a cold miss. */
#define PF_ROWS 8

/* B is either strided (row k at B + k*ldb) or, for ROWS kernels, a list of row pointers
   (row k at brows[k] + B's offset bcol): keys gathered by pointer, never copied. */
typedef void (*kern_fn)(int K, const float *A, int lda, const float *B, int ldb,
                        const float *const *brows, int bcol,
                        float *C, int ldc, float alpha, int accumulate, __mmask16 mlast);

AG_TARGET_AVX512 AG_INLINE void st16(float *p, __m512 v, __mmask16 m) {
    if (m == 0xFFFF) AG_ST16(p, v);
    else _mm512_mask_storeu_ps(p, m, v);
}

/* Epilogue for one C vector: C = alpha*acc (+ C when accumulating). */
AG_TARGET_AVX512 AG_INLINE void out16(float *p, __m512 acc, float alpha, int accumulate,
                                      __mmask16 m) {
    const __m512 va = _mm512_set1_ps(alpha);
    if (accumulate) st16(p, AG_FMA16(va, acc, _mm512_maskz_loadu_ps(m, p)), m);
    else st16(p, va * acc, m);
}

#define FMA_ROW(r)                                                              \
    if (kMR > r) {                                                              \
        const __m512 a = _mm512_set1_ps(a##r[k]);                              \
        c##r##0 = AG_FMA16(a, b0, c##r##0);                             \
        if (kNV > 1) c##r##1 = AG_FMA16(a, b1, c##r##1);                \
        if (kNV > 2) c##r##2 = AG_FMA16(a, b2, c##r##2);                \
        if (kNV > 3) c##r##3 = AG_FMA16(a, b3, c##r##3);                \
    }

#define OUT_ROW(r)                                                              \
    if (kMR > r) {                                                              \
        float *cr = C + (long)(r) * ldc;                                        \
        out16(cr, c##r##0, alpha, accumulate, kNV == 1 ? mlast : 0xFFFF);       \
        if (kNV > 1) out16(cr + 16, c##r##1, alpha, accumulate, kNV == 2 ? mlast : 0xFFFF); \
        if (kNV > 2) out16(cr + 32, c##r##2, alpha, accumulate, kNV == 3 ? mlast : 0xFFFF); \
        if (kNV > 3) out16(cr + 48, c##r##3, alpha, accumulate, mlast);         \
    }

#define DECL_ROW(r)                                                             \
    const float *a##r = A + (long)(kMR > r ? r : 0) * lda;                      \
    __m512 c##r##0 = _mm512_setzero_ps(), c##r##1 = c##r##0,                    \
           c##r##2 = c##r##0, c##r##3 = c##r##0;

/* C[MRK x 16*NVK] = alpha * A[MRK x K] * B[K x 16*NVK] (+ C); the last column
   vector is masked by mlast for C accesses and, if TAIL, for the B loads too
   (abt's packed panel is zero-padded, so it never needs masked loads). */
#define LDB(v, off) (kTAIL && kNV == (v) + 1 ? _mm512_maskz_loadu_ps(mlast, bk + (off)) : AG_LD16(bk + (off)))
#define DEFINE_KERN(MRK, NVK, TAIL, ROWS)                                       \
    AG_TARGET_AVX512 static void kern_##MRK##x##NVK##_##TAIL##ROWS(              \
        int K, const float *A, int lda, const float *B, int ldb,                \
        const float *const *brows, int bcol, float *C,                          \
        int ldc, float alpha, int accumulate, __mmask16 mlast) {                \
        enum { kMR = MRK, kNV = NVK, kTAIL = TAIL, kROWS = ROWS };              \
        DECL_ROW(0) DECL_ROW(1) DECL_ROW(2) DECL_ROW(3) DECL_ROW(4) DECL_ROW(5) \
        const float *bk = kROWS ? brows[0] + bcol : B;                          \
        for (int k = 0; k < K; k++) {                                           \
            __m512 b0, b1, b3, b2;                                              \
            const float *pf = !kROWS ? bk + PF_ROWS * (long)ldb                 \
                            : k + PF_ROWS < K ? brows[k + PF_ROWS] + bcol : bk; \
            _mm_prefetch((const char *)pf, _MM_HINT_T0);                        \
            if (kNV > 1) _mm_prefetch((const char *)(pf + 16), _MM_HINT_T0);    \
            if (kNV > 2) _mm_prefetch((const char *)(pf + 32), _MM_HINT_T0);    \
            if (kNV > 3) _mm_prefetch((const char *)(pf + 48), _MM_HINT_T0);    \
            b0 = LDB(0, 0);                                                     \
            if (kNV > 1) b1 = LDB(1, 16);                                       \
            if (kNV > 2) b2 = LDB(2, 32);                                       \
            if (kNV > 3) b3 = LDB(3, 48);                                       \
            FMA_ROW(0) FMA_ROW(1) FMA_ROW(2) FMA_ROW(3) FMA_ROW(4) FMA_ROW(5)   \
            if (!kROWS) bk += ldb;                                              \
            else if (k + 1 < K) bk = brows[k + 1] + bcol;                       \
        }                                                                       \
        OUT_ROW(0) OUT_ROW(1) OUT_ROW(2) OUT_ROW(3) OUT_ROW(4) OUT_ROW(5)       \
    }

#define DEFINE_KERN_NV(MRK, T, R) DEFINE_KERN(MRK, 1, T, R) DEFINE_KERN(MRK, 2, T, R) \
                                  DEFINE_KERN(MRK, 3, T, R) DEFINE_KERN(MRK, 4, T, R)
#define DEFINE_KERN_ALL(MRK) DEFINE_KERN_NV(MRK, 0, 0) DEFINE_KERN_NV(MRK, 1, 0) \
                             DEFINE_KERN_NV(MRK, 0, 1) DEFINE_KERN_NV(MRK, 1, 1)
DEFINE_KERN_ALL(1) DEFINE_KERN_ALL(2) DEFINE_KERN_ALL(3)
DEFINE_KERN_ALL(4) DEFINE_KERN_ALL(5) DEFINE_KERN_ALL(6)

#define KROW_T(MRK, T, R) { kern_##MRK##x1_##T##R, kern_##MRK##x2_##T##R, kern_##MRK##x3_##T##R, kern_##MRK##x4_##T##R }
#define KROW(MRK) { { KROW_T(MRK, 0, 0), KROW_T(MRK, 1, 0) }, { KROW_T(MRK, 0, 1), KROW_T(MRK, 1, 1) } }
/* [rows - 1][row pointers][tail][column vectors - 1] */
static const kern_fn kern_tab[MR][2][2][4] = { KROW(1), KROW(2), KROW(3), KROW(4), KROW(5), KROW(6) };

/* Runs the micro-kernels over all rows for one column chunk (<= 64 columns) of B: strided
   from B, or, when brows is not NULL, rows brows[k] from column bcol on. */
AG_TARGET_AVX512 AG_INLINE void row_sweep(int M, int nc, int K, const float *A, int lda,
                                          const float *B, int ldb, const float *const *brows,
                                          int bcol, int padded, float *C,
                                          int ldc, float alpha, int accumulate) {
    const int nv = (nc + 15) >> 4;
    const __mmask16 mlast = (__mmask16)(0xFFFFu >> (16 * nv - nc));
    const int tail = !padded && mlast != 0xFFFF;
    const kern_fn full = kern_tab[MR - 1][brows != 0][tail][nv - 1];
    int i = 0;
    for (; i + MR <= M; i += MR)
        full(K, A + (long)i * lda, lda, B, ldb, brows, bcol, C + (long)i * ldc, ldc, alpha, accumulate, mlast);
    if (i < M)
        kern_tab[M - i - 1][brows != 0][tail][nv - 1](K, A + (long)i * lda, lda, B, ldb, brows, bcol,
                                                      C + (long)i * ldc, ldc, alpha, accumulate, mlast);
}

/* In-register 16x16 transpose (unpack -> 128-bit shuffles -> 512-bit lane shuffles). */
#define TR_STAGE1(i, j)                                                         \
    t##i = _mm512_unpacklo_ps(r##i, r##j); t##j = _mm512_unpackhi_ps(r##i, r##j);
#define TR_STAGE2(a, b, c, d)                                                   \
    r##a = _mm512_shuffle_ps(t##a, t##c, 0x44); r##b = _mm512_shuffle_ps(t##a, t##c, 0xEE); \
    r##c = _mm512_shuffle_ps(t##b, t##d, 0x44); r##d = _mm512_shuffle_ps(t##b, t##d, 0xEE);
#define TR_STAGE3(a, b)                                                         \
    t##a = _mm512_shuffle_f32x4(r##a, r##b, 0x88); t##b = _mm512_shuffle_f32x4(r##a, r##b, 0xDD);
#define TR_STAGE4(a, b)                                                         \
    r##a = _mm512_shuffle_f32x4(t##a, t##b, 0x88); r##b = _mm512_shuffle_f32x4(t##a, t##b, 0xDD);

/* Bt[kk][j] = B[j][k0 + kk] for j < nc, kk < kc, where row j of B starts at rows[j]; Bt's
   rows are ldbt apart and, when padded, zero-filled up to a multiple of 16 columns. */
AG_TARGET_AVX512 static void transpose_rows(int nc, int kc, const float *const *rows_of_b, int k0, float *Bt,
                                            long ldbt, int padded) {
    for (int j = 0; j < nc; j += 16) {
        const int rows = nc - j < 16 ? nc - j : 16;
        const float *const *row = rows_of_b + j;
        for (int k = 0; k < kc; k += 16) {
            const int kw = kc - k < 16 ? kc - k : 16;
            const __mmask16 km = (__mmask16)(0xFFFFu >> (16 - kw));
            /* The next 16 rows' lines at this k, so each block's rows arrive before it is read. */
            if (j + 16 < nc)
                for (int i = 0; i < 16 && j + 16 + i < nc; i++) _mm_prefetch((const char *)(row[16 + i] + k0 + k), _MM_HINT_T0);
#define LD(i) r##i = (i) < rows ? _mm512_maskz_loadu_ps(km, row[i] + k0 + k) : _mm512_setzero_ps();
            __m512 r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15;
            __m512 t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15;
            LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7)
            LD(8) LD(9) LD(10) LD(11) LD(12) LD(13) LD(14) LD(15)
#undef LD
            TR_STAGE1(0, 1) TR_STAGE1(2, 3) TR_STAGE1(4, 5) TR_STAGE1(6, 7)
            TR_STAGE1(8, 9) TR_STAGE1(10, 11) TR_STAGE1(12, 13) TR_STAGE1(14, 15)
            TR_STAGE2(0, 1, 2, 3) TR_STAGE2(4, 5, 6, 7) TR_STAGE2(8, 9, 10, 11) TR_STAGE2(12, 13, 14, 15)
            /* r0..r3: columns 4L+0..3 of rows 0..3 in 128-bit lane L; r4..r7 rows 4..7, ... */
            TR_STAGE3(0, 4) TR_STAGE3(1, 5) TR_STAGE3(2, 6) TR_STAGE3(3, 7)
            TR_STAGE3(8, 12) TR_STAGE3(9, 13) TR_STAGE3(10, 14) TR_STAGE3(11, 15)
            TR_STAGE4(0, 8) TR_STAGE4(1, 9) TR_STAGE4(2, 10) TR_STAGE4(3, 11)
            TR_STAGE4(4, 12) TR_STAGE4(5, 13) TR_STAGE4(6, 14) TR_STAGE4(7, 15)
            /* now r0..r3 = columns 0..3, r8..r11 = 8..11 (0x88/0xDD pairing), r4..r7 = 4..7, r12..r15 = 12..15 */
            float *dst = Bt + (long)k * ldbt + j;
            const __mmask16 rm = (__mmask16)(0xFFFFu >> (16 - rows));
#define ST(i, col) if ((col) < kw) { if (padded) AG_ST16(dst + (long)(col) * ldbt, r##i); \
                                     else _mm512_mask_storeu_ps(dst + (long)(col) * ldbt, rm, r##i); }
            ST(0, 0) ST(1, 1) ST(2, 2) ST(3, 3) ST(4, 4) ST(5, 5) ST(6, 6) ST(7, 7)
            ST(8, 8) ST(9, 9) ST(10, 10) ST(11, 11) ST(12, 12) ST(13, 13) ST(14, 14) ST(15, 15)
#undef ST
        }
    }
}

/* S = alpha * A * B^T for one chunk of <= AG_NC rows of B (by pointer). */
AG_TARGET_AVX512 static void abt_chunk(int M, int nc, int K, float alpha, const float *A, int lda,
                                       const float *const *rows, float *S, int lds) {
    /* B^T panel, packed so that the A*B micro-kernel can stream contiguous rows. */
    _Alignas(64) float Bt[AG_KC * AG_NC];
    for (int k0 = 0; k0 < K; k0 += AG_KC) {
        const int kc = K - k0 < AG_KC ? K - k0 : AG_KC;
        transpose_rows(nc, kc, rows, k0, Bt, AG_NC, 1);
        row_sweep(M, nc, kc, A + k0, lda, Bt, AG_NC, 0, 0, 1, S, lds, alpha, k0 > 0);
    }
}

AG_TARGET_AVX512 void ag_gemm_abt_avx512(int M, int N, int K, float alpha, const float *A,
                                         int lda, const float *B, int ldb, float *S, int lds) {
    const float *rows[AG_NC];
    for (int j0 = 0; j0 < N; j0 += AG_NC) {
        const int nc = N - j0 < AG_NC ? N - j0 : AG_NC;
        for (int j = 0; j < nc; j++) rows[j] = B + (long)(j0 + j) * ldb;
        abt_chunk(M, nc, K, alpha, A, lda, rows, S + j0, lds);
    }
}

AG_TARGET_AVX512 void ag_gemm_abt_rows_avx512(int M, int N, int K, float alpha, const float *A,
                                              int lda, const float *const *rows, float *S, int lds) {
    for (int j0 = 0; j0 < N; j0 += AG_NC)
        abt_chunk(M, N - j0 < AG_NC ? N - j0 : AG_NC, K, alpha, A, lda, rows + j0, S + j0, lds);
}

AG_TARGET_AVX512 void ag_transpose_avx512(int M, int N, const float *A, int lda, float *B, int ldb) {
    const float *rows[64];
    for (int i0 = 0; i0 < M; i0 += 64) {
        const int nc = M - i0 < 64 ? M - i0 : 64;
        for (int i = 0; i < nc; i++) rows[i] = A + (long)(i0 + i) * lda;
        transpose_rows(nc, N, rows, 0, B + i0, ldb, 0);
    }
}

AG_TARGET_AVX512 void ag_gemm_ab_avx512(int M, int N, int K, float alpha, const float *A, int lda,
                                        const float *B, int ldb, float *C, int ldc) {
    for (int j0 = 0; j0 < N; j0 += 64) {
        const int nc = N - j0 < 64 ? N - j0 : 64;
        row_sweep(M, nc, K, A, lda, B + j0, ldb, 0, 0, 0, C + j0, ldc, alpha, 0);
    }
}

AG_TARGET_AVX512 void ag_gemm_ab_acc_avx512(int M, int N, int K, const float *A, int lda,
                                            const float *B, int ldb, float *C, int ldc) {
    for (int j0 = 0; j0 < N; j0 += 64) {
        const int nc = N - j0 < 64 ? N - j0 : 64;
        row_sweep(M, nc, K, A, lda, B + j0, ldb, 0, 0, 0, C + j0, ldc, 1.0f, 1);
    }
}

AG_TARGET_AVX512 void ag_gemm_ab_acc_rows_avx512(int M, int N, int K, const float *A, int lda,
                                                 const float *const *rows, float *C, int ldc) {
    for (int j0 = 0; j0 < N; j0 += 64) {
        const int nc = N - j0 < 64 ? N - j0 : 64;
        row_sweep(M, nc, K, A, lda, 0, 0, rows, j0, 0, C + j0, ldc, 1.0f, 1);
    }
}

/* S[r][j] = -inf where bit j % 16 of bits[r * ldbits + j / 16] is clear. */
AG_TARGET_AVX512 void ag_mask_bits_avx512(int M, int N, float *S, int lds, const uint16_t *bits, int ldbits) {
    const __m512 masked = _mm512_set1_ps(-AG_INF);
    for (int r = 0; r < M; r++) {
        float *row = S + (long)r * lds;
        const uint16_t *word = bits + (long)r * ldbits;
        for (int j = 0; j < N; j += 16) {
            const __mmask16 inside = (__mmask16)(N - j >= 16 ? 0xFFFFu : 0xFFFFu >> (16 - (N - j)));
            const __mmask16 hidden = (__mmask16)(~word[j >> 4] & inside);
            if (hidden) _mm512_mask_storeu_ps(row + j, hidden, masked);
        }
    }
}

#endif /* AG_X86 */
