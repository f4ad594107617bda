/* AVX2+FMA online-softmax update / finalisation with a vectorised exp.
   Same structure as the AVX-512 version with groups of 8 rows. Ragged tails go
   through small -inf padded buffers (vmaskmov is slow on AMD). */
#include "ag_simd.h"
#if AG_X86

static const ag_v8 k_lo = AG_SPLAT8(AG_EXP_LO), k_hi = AG_SPLAT8(AG_EXP_HI),
                   k_log2e = AG_SPLAT8(AG_LOG2E), k_c1 = AG_SPLAT8(AG_LN2_C1),
                   k_c2 = AG_SPLAT8(AG_LN2_C2), k_p0 = AG_SPLAT8(AG_EXP_P0),
                   k_p1 = AG_SPLAT8(AG_EXP_P1), k_p2 = AG_SPLAT8(AG_EXP_P2),
                   k_p3 = AG_SPLAT8(AG_EXP_P3), k_p4 = AG_SPLAT8(AG_EXP_P4),
                   k_p5 = AG_SPLAT8(AG_EXP_P5), k_one = AG_SPLAT8(1.0f),
                   k_ninf = AG_SPLAT8(-AG_INF);

/* exp(x) for x <= 0 (or NaN): Cody-Waite reduction + degree-7 polynomial; 2^n is
   applied as two normal-range factors 2^floor(n/2) * 2^(n - floor(n/2)), so
   subnormal results round only once. The clamp maps -inf / x < -104 to exactly 0
   and keeps NaN (vmaxps returns its second operand when it is NaN). */
AG_TARGET_AVX2 AG_INLINE __m256 exp256_nonpos(__m256 x) {
    x = _mm256_max_ps((__m256)k_lo, x);
    const __m256 n = _mm256_round_ps(x * (__m256)k_log2e, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256 r = AG_FMA8(n, -(__m256)k_c2, AG_FMA8(n, -(__m256)k_c1, x));
    __m256 p = AG_FMA8((__m256)k_p0, r, (__m256)k_p1);
    p = AG_FMA8(p, r, (__m256)k_p2);
    p = AG_FMA8(p, r, (__m256)k_p3);
    p = AG_FMA8(p, r, (__m256)k_p4);
    p = AG_FMA8(p, r, (__m256)k_p5);
    p = AG_FMA8(p, r * r, r) + (__m256)k_one;
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i n1 = _mm256_srai_epi32(ni, 1);
    const __m256i bias = _mm256_set1_epi32(127);
    const __m256i e1 = _mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23);
    const __m256i e2 = _mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, n1), bias), 23);
    return (p * _mm256_castsi256_ps(e1)) * _mm256_castsi256_ps(e2);
}

/* General exp (also clamps above: x >= 89 -> +inf, never NaN). */
AG_TARGET_AVX2 AG_INLINE __m256 exp256(__m256 x) {
    return exp256_nonpos(_mm256_min_ps((__m256)k_hi, x));
}

/* Exposed for the test harness. */
AG_TARGET_AVX2 void ag_exp_avx2(const float *x, float *y, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) AG_ST8(y + i, exp256(AG_LD8(x + i)));
    if (i < n) {
        float buf[8] = {0};
        for (long t = i; t < n; t++) buf[t - i] = x[t];
        AG_ST8(buf, exp256(AG_LD8(buf)));
        for (long t = i; t < n; t++) y[t] = buf[t - i];
    }
}

AG_TARGET_AVX2 AG_INLINE float hmax256(__m256 v) {
    __m128 x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_max_ps(x, _mm_movehl_ps(x, x));
    x = _mm_max_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

AG_TARGET_AVX2 AG_INLINE float hsum256(__m256 v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

AG_TARGET_AVX2 void ag_softmax_update_avx2(int M, int N, float *S, int lds, float *m,
                                           float *l, float *acc, int ldacc, int DV) {
    const __m256 ninf = (__m256)k_ninf;
    const int nfull = N & ~7;
    for (int r0 = 0; r0 < M; r0 += 8) {
        const int g = M - r0 < 8 ? M - r0 : 8;
        _Alignas(32) float mx[8], mo[8], mn[8], cf[8], sums[8];
        /* 1. row maxima; independent rows so the reductions overlap */
        for (int i = 0; i < 8; i++) {
            mo[i] = i < g ? m[r0 + i] : -AG_INF;
            mx[i] = -AG_INF;
            if (i >= g) continue;
            const float *s = S + (long)(r0 + i) * lds;
            __m256 vmax = ninf;
            for (int j = 0; j < nfull; j += 8) vmax = _mm256_max_ps(vmax, AG_LD8(s + j));
            float v = hmax256(vmax);
            for (int j = nfull; j < N; j++) v = s[j] > v ? s[j] : v;
            mx[i] = v;
        }
        /* 2. new max and correction factor for 8 rows at once (c = 0 when m_old = -inf) */
        const __m256 mold = AG_LD8(mo);
        const __m256 mnew = _mm256_max_ps(mold, AG_LD8(mx));
        AG_ST8(mn, mnew);
        AG_ST8(cf, exp256_nonpos(mold - mnew));
        /* 3. rescale acc, exponentiate the scores, row sums */
        for (int i = 0; i < g; i++) {
            float *s = S + (long)(r0 + i) * lds;
            if (mn[i] == -AG_INF) {     /* fully masked so far: P = 0 (NaN scores kept) */
                ag_softmax_row_without_max(s, N, &l[r0 + i]);
                continue;
            }
            const float c = cf[i];
            if (c != 1.0f) {              /* rescale only when the running max moved */
                float *a = acc + (long)(r0 + i) * ldacc;
                const __m256 vc = _mm256_set1_ps(c);
                int j = 0;
                for (; j + 8 <= DV; j += 8) AG_ST8(a + j, vc * AG_LD8(a + j));
                for (; j < DV; j++) a[j] *= c;
            }
            const __m256 vm = _mm256_set1_ps(mn[i]);
            __m256 vsum = _mm256_setzero_ps();
            for (int j = 0; j < nfull; j += 8) {
                const __m256 e = exp256_nonpos(AG_LD8(s + j) - vm);
                AG_ST8(s + j, e);
                vsum = vsum + e;
            }
            if (nfull < N) {              /* pad with -inf: exp gives exactly 0 */
                _Alignas(32) float buf[8] = AG_SPLAT8(-AG_INF);
                for (int j = nfull; j < N; j++) buf[j - nfull] = s[j];
                const __m256 e = exp256_nonpos(AG_LD8(buf) - vm);
                AG_ST8(buf, e);
                vsum = vsum + e;
                for (int j = nfull; j < N; j++) s[j] = buf[j - nfull];
            }
            sums[i] = hsum256(vsum);
            l[r0 + i] = l[r0 + i] * c + sums[i];
            m[r0 + i] = mn[i];
        }
    }
}

AG_TARGET_AVX2 void ag_softmax_finalize_avx2(int M, int DV, float *acc, int ldacc,
                                             const float *m, const float *l, float *lse) {
    for (int r = 0; r < M; r++) {
        float *a = acc + (long)r * ldacc;
        const float lr = l[r];
        if (lr == 0.0f) {
            for (int j = 0; j < DV; j++) a[j] = 0.0f;
            if (lse) lse[r] = -AG_INF;
            continue;
        }
        const __m256 vl = _mm256_set1_ps(lr);
        int j = 0;
        for (; j + 8 <= DV; j += 8) AG_ST8(a + j, AG_LD8(a + j) / vl);
        for (; j < DV; j++) a[j] /= lr;
        if (lse) lse[r] = m[r] + ag_logf(lr);
    }
}

AG_TARGET_AVX2 void ag_softmax_gradient_avx2(int M, int N, float *S, int lds, float *dP, int lddp,
                                             const float *lse, const float *D, float scale) {
    const __m256 vscale = _mm256_set1_ps(scale);
    for (int r = 0; r < M; r++) {
        float *s = S + (long)r * lds, *dp = dP + (long)r * lddp;
        if (lse[r] == -AG_INF) {          /* the row sees no key: P = 0, dS = 0 */
            for (int j = 0; j < N; j++) s[j] = dp[j] = 0.0f;
            continue;
        }
        const __m256 vl = _mm256_set1_ps(lse[r]), vd = _mm256_set1_ps(D[r]);
        int j = 0;
        for (; j + 8 <= N; j += 8) {      /* exp(-inf - lse) is exactly 0 (clamped) */
            const __m256 p = exp256(AG_LD8(s + j) - vl);
            AG_ST8(s + j, p);
            AG_ST8(dp + j, vscale * p * (AG_LD8(dp + j) - vd));
        }
        for (; j < N; j++) {
            const float p = s[j] == -AG_INF ? 0.0f : ag_expf(s[j] - lse[r]);
            s[j] = p;
            dp[j] = scale * p * (dp[j] - D[r]);
        }
    }
}

#endif /* AG_X86 */
