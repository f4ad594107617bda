/* AVX2+FMA GEMM micro-kernels: up to 6 rows x 2 ymm (16 columns) of C in 12
   accumulators (16 ymm registers in total). Written out by macros so that the
   code is register-allocated at -O2 and still reasonable at -O0. */
#include "ag_simd.h"
#if AG_X86

#define MR 6

typedef void (*kern_fn)(int K, const float *A, int lda, const float *B, int ldb,
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
#define DEFINE_KERN(MRK, NVK, TAIL)                                             \
    AG_TARGET_AVX2 static void kern_##MRK##x##NVK##_##TAIL(                     \
        int K, const float *A, int lda, const float *B, int ldb, float *C,      \
        int ldc, float alpha, int accumulate, int rem) {                        \
        enum { kMR = MRK, kNV = NVK, kTAIL = TAIL };                           \
        const __m256i mk = lane_mask(rem);                                      \
        DECL_ROW(0) DECL_ROW(1) DECL_ROW(2) DECL_ROW(3) DECL_ROW(4) DECL_ROW(5) \
        const float *bk = B;                                                    \
        for (int k = 0; k < K; k++, bk += ldb) {                                \
            __m256 b0, b1;                                                      \
            b0 = (kTAIL && kNV == 1) ? _mm256_maskload_ps(bk, mk) : AG_LD8(bk); \
            if (kNV > 1) b1 = kTAIL ? _mm256_maskload_ps(bk + 8, mk) : AG_LD8(bk + 8); \
            FMA_ROW(0) FMA_ROW(1) FMA_ROW(2) FMA_ROW(3) FMA_ROW(4) FMA_ROW(5)   \
        }                                                                       \
        OUT_ROW(0) OUT_ROW(1) OUT_ROW(2) OUT_ROW(3) OUT_ROW(4) OUT_ROW(5)       \
    }

#define DEFINE_KERN_ALL(MRK) DEFINE_KERN(MRK, 1, 0) DEFINE_KERN(MRK, 2, 0) \
                             DEFINE_KERN(MRK, 1, 1) DEFINE_KERN(MRK, 2, 1)
DEFINE_KERN_ALL(1) DEFINE_KERN_ALL(2) DEFINE_KERN_ALL(3)
DEFINE_KERN_ALL(4) DEFINE_KERN_ALL(5) DEFINE_KERN_ALL(6)

#define KROW(MRK) { { kern_##MRK##x1_0, kern_##MRK##x2_0 }, { kern_##MRK##x1_1, kern_##MRK##x2_1 } }
static const kern_fn kern_tab[MR][2][2] = { KROW(1), KROW(2), KROW(3), KROW(4), KROW(5), KROW(6) };

/* C[M x nc] (+)= alpha * A[M x K] * B[K x nc], in 16-column strips. */
AG_TARGET_AVX2 static void strip_sweep(int M, int nc, int K, const float *A, int lda,
                                       const float *B, int ldb, float *C, int ldc,
                                       float alpha, int accumulate) {
    for (int j = 0; j < nc; j += 16) {
        const int w = nc - j < 16 ? nc - j : 16;
        const int nv = (w + 7) >> 3, rem = w - 8 * (nv - 1), tail = rem != 8;
        const kern_fn full = kern_tab[MR - 1][tail][nv - 1];
        int i = 0;
        for (; i + MR <= M; i += MR)
            full(K, A + (long)i * lda, lda, B + j, ldb, C + (long)i * ldc + j, ldc, alpha, accumulate, rem);
        if (i < M)
            kern_tab[M - i - 1][tail][nv - 1](K, A + (long)i * lda, lda, B + j, ldb,
                                              C + (long)i * ldc + j, ldc, alpha, accumulate, rem);
    }
}

/* Bt[kk][j] = B[j][kk] for j < nc (zero-padded to a multiple of 8), kk < kc;
   8x8 in-register transposes. */
AG_TARGET_AVX2 static void pack_bt(int nc, int kc, const float *B, int ldb, float *Bt) {
    for (int j = 0; j < nc; j += 8) {
        const int rows = nc - j < 8 ? nc - j : 8;
        for (int k = 0; k < kc; k += 8) {
            const int kw = kc - k < 8 ? kc - k : 8;
            const __m256i km = lane_mask(kw);
            const float *src = B + (long)j * ldb + k;
            __m256 r0, r1, r2, r3, r4, r5, r6, r7, t0, t1, t2, t3, t4, t5, t6, t7;
#define LD(i) r##i = (i) >= rows ? _mm256_setzero_ps()                                   \
                   : kw == 8 ? AG_LD8(src + (long)(i) * ldb)                    \
                             : _mm256_maskload_ps(src + (long)(i) * ldb, km);
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
            float *dst = Bt + (long)k * AG_NC + j;
#define ST(i) if ((i) < kw) AG_ST8(dst + (long)(i) * AG_NC, t##i);
            ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
#undef ST
        }
    }
}

AG_TARGET_AVX2 void ag_gemm_abt_avx2(int M, int N, int K, float alpha, const float *A,
                                     int lda, const float *B, int ldb, float *S, int lds) {
    _Alignas(64) float Bt[AG_KC * AG_NC];  /* packed B^T panel, 32 KiB */
    for (int j0 = 0; j0 < N; j0 += AG_NC) {
        const int nc = N - j0 < AG_NC ? N - j0 : AG_NC;
        for (int k0 = 0; k0 < K; k0 += AG_KC) {
            const int kc = K - k0 < AG_KC ? K - k0 : AG_KC;
            pack_bt(nc, kc, B + (long)j0 * ldb + k0, ldb, Bt);
            strip_sweep(M, nc, kc, A + k0, lda, Bt, AG_NC, S + j0, lds, alpha, k0 > 0);
        }
    }
}

AG_TARGET_AVX2 void ag_gemm_ab_avx2(int M, int N, int K, float alpha, const float *A, int lda,
                                    const float *B, int ldb, float *C, int ldc) {
    strip_sweep(M, N, K, A, lda, B, ldb, C, ldc, alpha, 0);
}

AG_TARGET_AVX2 void ag_gemm_ab_acc_avx2(int M, int N, int K, const float *A, int lda,
                                        const float *B, int ldb, float *C, int ldc) {
    strip_sweep(M, N, K, A, lda, B, ldb, C, ldc, 1.0f, 1);
}

#endif /* AG_X86 */
