/* AVX2+FMA GEMM micro-kernels: up to 6 rows x 2 ymm (16 columns) of C in 12
   accumulators (16 ymm registers in total). Written out by macros so that the
   code is register-allocated at -O2 and still reasonable at -O0. */
#include "ag_simd.h"
#if AG_X86

#define MR 6

/* B is either strided (row k at B + k*ldb) or, for ROWS kernels, a list of row pointers
   (row k at brows[k] + bcol): keys gathered by pointer, never copied. */
typedef void (*kern_fn)(int K, const float *A, int lda, const float *B, int ldb,
                        const float *const *brows, int bcol,
                        float *C, int ldc, float alpha, int accumulate, int rem);

AG_TARGET_AVX2 AG_INLINE __m256i lane_mask(int rem) {  /* lanes < rem active */
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(rem), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* Epilogue for one C vector: C = alpha*acc (+ C when accumulating); rem < 8 lanes
   are written through a buffer because vmaskmovps stores are slow on AMD. */
AG_TARGET_AVX2 AG_INLINE void out8(float *p, __m256 acc, float alpha, int accumulate,
                                   int tail, int rem, __m256i mk) {
    const __m256 va = _mm256_set1_ps(alpha);
    if (!tail) {
        if (accumulate) AG_ST8(p, AG_FMA8(va, acc, AG_LD8(p)));
        else AG_ST8(p, va * acc);
        return;
    }
    float buf[8];
    if (accumulate) AG_ST8(buf, AG_FMA8(va, acc, _mm256_maskload_ps(p, mk)));
    else AG_ST8(buf, va * acc);
    for (int i = 0; i < rem; i++) p[i] = buf[i];
}

#define FMA_ROW(r)                                                              \
    if (kMR > r) {                                                              \
        const __m256 a = _mm256_broadcast_ss(a##r + k);                        \
        c##r##0 = AG_FMA8(a, b0, c##r##0);                             \
        if (kNV > 1) c##r##1 = AG_FMA8(a, b1, c##r##1);                \
    }

#define OUT_ROW(r)                                                              \
    if (kMR > r) {                                                              \
        float *cr = C + (long)(r) * ldc;                                        \
        out8(cr, c##r##0, alpha, accumulate, kTAIL && kNV == 1, rem, mk);        \
        if (kNV > 1) out8(cr + 8, c##r##1, alpha, accumulate, kTAIL, rem, mk);   \
    }

#define DECL_ROW(r)                                                             \
    const float *a##r = A + (long)(kMR > r ? r : 0) * lda;                      \
    __m256 c##r##0 = _mm256_setzero_ps(), c##r##1 = c##r##0;

/* C[MRK x 8*NVK] = alpha * A[MRK x K] * B[K x 8*NVK] (+ C); if TAIL, only the
   first rem lanes of the last column vector are read/written. */
#define DEFINE_KERN(MRK, NVK, TAIL, ROWS)                                       \
    AG_TARGET_AVX2 static void kern_##MRK##x##NVK##_##TAIL##ROWS(                \
        int K, const float *A, int lda, const float *B, int ldb,                \
        const float *const *brows, int bcol, float *C,                          \
        int ldc, float alpha, int accumulate, int rem) {                        \
        enum { kMR = MRK, kNV = NVK, kTAIL = TAIL, kROWS = ROWS };              \
        const __m256i mk = lane_mask(rem);                                      \
        DECL_ROW(0) DECL_ROW(1) DECL_ROW(2) DECL_ROW(3) DECL_ROW(4) DECL_ROW(5) \
        const float *bk = kROWS ? brows[0] + bcol : B;                          \
        for (int k = 0; k < K; k++) {                                           \
            __m256 b0, b1;                                                      \
            b0 = (kTAIL && kNV == 1) ? _mm256_maskload_ps(bk, mk) : AG_LD8(bk); \
            if (kNV > 1) b1 = kTAIL ? _mm256_maskload_ps(bk + 8, mk) : AG_LD8(bk + 8); \
            FMA_ROW(0) FMA_ROW(1) FMA_ROW(2) FMA_ROW(3) FMA_ROW(4) FMA_ROW(5)   \
            if (!kROWS) bk += ldb;                                              \
            else if (k + 1 < K) bk = brows[k + 1] + bcol;                       \
        }                                                                       \
        OUT_ROW(0) OUT_ROW(1) OUT_ROW(2) OUT_ROW(3) OUT_ROW(4) OUT_ROW(5)       \
    }

#define DEFINE_KERN_TR(MRK, R) DEFINE_KERN(MRK, 1, 0, R) DEFINE_KERN(MRK, 2, 0, R) \
                               DEFINE_KERN(MRK, 1, 1, R) DEFINE_KERN(MRK, 2, 1, R)
#define DEFINE_KERN_ALL(MRK) DEFINE_KERN_TR(MRK, 0) DEFINE_KERN_TR(MRK, 1)
DEFINE_KERN_ALL(1) DEFINE_KERN_ALL(2) DEFINE_KERN_ALL(3)
DEFINE_KERN_ALL(4) DEFINE_KERN_ALL(5) DEFINE_KERN_ALL(6)

#define KROW_R(MRK, R) { { kern_##MRK##x1_0##R, kern_##MRK##x2_0##R }, { kern_##MRK##x1_1##R, kern_##MRK##x2_1##R } }
#define KROW(MRK) { KROW_R(MRK, 0), KROW_R(MRK, 1) }
/* [rows - 1][row pointers][tail][column vectors - 1] */
static const kern_fn kern_tab[MR][2][2][2] = { KROW(1), KROW(2), KROW(3), KROW(4), KROW(5), KROW(6) };

/* C[M x nc] (+)= alpha * A[M x K] * B[K x nc], in 16-column strips; B strided, or, when brows
   is not NULL, rows brows[k]. */
AG_TARGET_AVX2 static void strip_sweep(int M, int nc, int K, const float *A, int lda,
                                       const float *B, int ldb, const float *const *brows,
                                       float *C, int ldc, float alpha, int accumulate) {
    for (int j = 0; j < nc; j += 16) {
        const int w = nc - j < 16 ? nc - j : 16;
        const int nv = (w + 7) >> 3, rem = w - 8 * (nv - 1), tail = rem != 8;
        const kern_fn full = kern_tab[MR - 1][brows != 0][tail][nv - 1];
        const float *b = brows ? 0 : B + j;
        int i = 0;
        for (; i + MR <= M; i += MR)
            full(K, A + (long)i * lda, lda, b, ldb, brows, j, C + (long)i * ldc + j, ldc, alpha, accumulate, rem);
        if (i < M)
            kern_tab[M - i - 1][brows != 0][tail][nv - 1](K, A + (long)i * lda, lda, b, ldb, brows, j,
                                                          C + (long)i * ldc + j, ldc, alpha, accumulate, rem);
    }
}

/* Bt[kk][j] = B[j][k0 + kk] for j < nc, kk < kc, where row j of B starts at rows[j]; Bt's rows
   are ldbt apart and, when padded, zero-filled up to a multiple of 8 columns; 8x8 in-register
   transposes. */
AG_TARGET_AVX2 static void transpose_rows(int nc, int kc, const float *const *rows_of_b, int k0, float *Bt,
                                          long ldbt, int padded) {
    for (int j = 0; j < nc; j += 8) {
        const int rows = nc - j < 8 ? nc - j : 8;
        const float *const *row = rows_of_b + j;
        for (int k = 0; k < kc; k += 8) {
            const int kw = kc - k < 8 ? kc - k : 8;
            const __m256i km = lane_mask(kw);
            __m256 r0, r1, r2, r3, r4, r5, r6, r7, t0, t1, t2, t3, t4, t5, t6, t7;
#define LD(i) r##i = (i) >= rows ? _mm256_setzero_ps()                                   \
                   : kw == 8 ? AG_LD8(row[i] + k0 + k)                           \
                             : _mm256_maskload_ps(row[i] + k0 + k, km);
            LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7)
#undef LD
            t0 = _mm256_unpacklo_ps(r0, r1); t1 = _mm256_unpackhi_ps(r0, r1);
            t2 = _mm256_unpacklo_ps(r2, r3); t3 = _mm256_unpackhi_ps(r2, r3);
            t4 = _mm256_unpacklo_ps(r4, r5); t5 = _mm256_unpackhi_ps(r4, r5);
            t6 = _mm256_unpacklo_ps(r6, r7); t7 = _mm256_unpackhi_ps(r6, r7);
            r0 = _mm256_shuffle_ps(t0, t2, 0x44); r1 = _mm256_shuffle_ps(t0, t2, 0xEE);
            r2 = _mm256_shuffle_ps(t1, t3, 0x44); r3 = _mm256_shuffle_ps(t1, t3, 0xEE);
            r4 = _mm256_shuffle_ps(t4, t6, 0x44); r5 = _mm256_shuffle_ps(t4, t6, 0xEE);
            r6 = _mm256_shuffle_ps(t5, t7, 0x44); r7 = _mm256_shuffle_ps(t5, t7, 0xEE);
            /* r0..r3: columns 0..3 (low lane) / 4..7 (high lane) of rows 0..3; r4..r7 rows 4..7 */
            t0 = _mm256_permute2f128_ps(r0, r4, 0x20); t4 = _mm256_permute2f128_ps(r0, r4, 0x31);
            t1 = _mm256_permute2f128_ps(r1, r5, 0x20); t5 = _mm256_permute2f128_ps(r1, r5, 0x31);
            t2 = _mm256_permute2f128_ps(r2, r6, 0x20); t6 = _mm256_permute2f128_ps(r2, r6, 0x31);
            t3 = _mm256_permute2f128_ps(r3, r7, 0x20); t7 = _mm256_permute2f128_ps(r3, r7, 0x31);
            float *dst = Bt + (long)k * ldbt + j;
            const __m256i rm = lane_mask(rows);
#define ST(i) if ((i) < kw) { if (padded || rows == 8) AG_ST8(dst + (long)(i) * ldbt, t##i); \
                              else _mm256_maskstore_ps(dst + (long)(i) * ldbt, rm, t##i); }
            ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
#undef ST
        }
    }
}

/* S = alpha * A * B^T for one chunk of <= AG_NC rows of B (by pointer). */
AG_TARGET_AVX2 static void abt_chunk(int M, int nc, int K, float alpha, const float *A, int lda,
                                     const float *const *rows, float *S, int lds) {
    _Alignas(64) float Bt[AG_KC * AG_NC];  /* packed B^T panel, 32 KiB */
    for (int k0 = 0; k0 < K; k0 += AG_KC) {
        const int kc = K - k0 < AG_KC ? K - k0 : AG_KC;
        transpose_rows(nc, kc, rows, k0, Bt, AG_NC, 1);
        strip_sweep(M, nc, kc, A + k0, lda, Bt, AG_NC, 0, S, lds, alpha, k0 > 0);
    }
}

AG_TARGET_AVX2 void ag_gemm_abt_avx2(int M, int N, int K, float alpha, const float *A,
                                     int lda, const float *B, int ldb, float *S, int lds) {
    const float *rows[AG_NC];
    for (int j0 = 0; j0 < N; j0 += AG_NC) {
        const int nc = N - j0 < AG_NC ? N - j0 : AG_NC;
        for (int j = 0; j < nc; j++) rows[j] = B + (long)(j0 + j) * ldb;
        abt_chunk(M, nc, K, alpha, A, lda, rows, S + j0, lds);
    }
}

AG_TARGET_AVX2 void ag_gemm_abt_rows_avx2(int M, int N, int K, float alpha, const float *A,
                                          int lda, const float *const *rows, float *S, int lds) {
    for (int j0 = 0; j0 < N; j0 += AG_NC)
        abt_chunk(M, N - j0 < AG_NC ? N - j0 : AG_NC, K, alpha, A, lda, rows + j0, S + j0, lds);
}

AG_TARGET_AVX2 void ag_transpose_avx2(int M, int N, const float *A, int lda, float *B, int ldb) {
    const float *rows[64];
    for (int i0 = 0; i0 < M; i0 += 64) {
        const int nc = M - i0 < 64 ? M - i0 : 64;
        for (int i = 0; i < nc; i++) rows[i] = A + (long)(i0 + i) * lda;
        transpose_rows(nc, N, rows, 0, B + i0, ldb, 0);
    }
}

AG_TARGET_AVX2 void ag_gemm_ab_avx2(int M, int N, int K, float alpha, const float *A, int lda,
                                    const float *B, int ldb, float *C, int ldc) {
    strip_sweep(M, N, K, A, lda, B, ldb, 0, C, ldc, alpha, 0);
}

AG_TARGET_AVX2 void ag_gemm_ab_acc_avx2(int M, int N, int K, const float *A, int lda,
                                        const float *B, int ldb, float *C, int ldc) {
    strip_sweep(M, N, K, A, lda, B, ldb, 0, C, ldc, 1.0f, 1);
}

AG_TARGET_AVX2 void ag_gemm_ab_acc_rows_avx2(int M, int N, int K, const float *A, int lda,
                                             const float *const *rows, float *C, int ldc) {
    strip_sweep(M, N, K, A, lda, 0, 0, rows, C, ldc, 1.0f, 1);
}

/* S[r][j] = -inf where bit j % 16 of bits[r * ldbits + j / 16] is clear: 8 columns at a time,
   their bits spread to lanes by a compare against each lane's bit. */
AG_TARGET_AVX2 void ag_mask_bits_avx2(int M, int N, float *S, int lds, const uint16_t *bits, int ldbits) {
    const __m256 masked = _mm256_set1_ps(-AG_INF);
    const __m256i lane_bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    for (int r = 0; r < M; r++) {
        float *row = S + (long)r * lds;
        const uint16_t *word = bits + (long)r * ldbits;
        int j = 0;
        for (; j + 8 <= N; j += 8) {
            const unsigned byte = (word[j >> 4] >> (j & 8)) & 0xFFu;
            if (byte == 0xFFu) continue;
            const __m256i shown = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)byte), lane_bit), lane_bit);
            AG_ST8(row + j, _mm256_blendv_ps(masked, AG_LD8(row + j), _mm256_castsi256_ps(shown)));
        }
        for (; j < N; j++)
            if (!((word[j >> 4] >> (j & 15)) & 1u)) row[j] = -AG_INF;
    }
}

#endif /* AG_X86 */
