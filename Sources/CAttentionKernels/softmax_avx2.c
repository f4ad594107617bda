/* AVX2+FMA online-softmax update / finalisation with a vectorised exp.
   Ragged tails go through a small -inf padded buffer (vmaskmov is slow on AMD). */
#include "ag_internal.h"
#if AG_X86
#include <immintrin.h>
#include <math.h>   /* INFINITY macro only */

/* exp(x): Cody-Waite reduction + degree-7 polynomial; 2^n is applied as two
   normal-range factors 2^floor(n/2) * 2^(n - floor(n/2)), so subnormal results
   round once and n = 129 overflows to +inf. NaN propagates through p. */
AG_TARGET_AVX2 AG_INLINE __m256 exp256(__m256 x) {
    x = _mm256_max_ps(_mm256_set1_ps(AG_EXP_LO), x);
    x = _mm256_min_ps(_mm256_set1_ps(AG_EXP_HI), x);
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(AG_LOG2E)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(AG_LN2_C1), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(AG_LN2_C2), r);
    __m256 p = _mm256_set1_ps(AG_EXP_P0);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(AG_EXP_P1));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(AG_EXP_P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(AG_EXP_P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(AG_EXP_P4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(AG_EXP_P5));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r);
    p = _mm256_add_ps(p, _mm256_set1_ps(1.0f));
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i n1 = _mm256_srai_epi32(ni, 1);
    const __m256i n2 = _mm256_sub_epi32(ni, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

/* Exposed for the test harness. */
AG_TARGET_AVX2 void ag_exp_avx2(const float *x, float *y, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, exp256(_mm256_loadu_ps(x + i)));
    if (i < n) {
        float buf[8] = {0};
        for (long t = i; t < n; t++) buf[t - i] = x[t];
        _mm256_storeu_ps(buf, exp256(_mm256_loadu_ps(buf)));
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
    const __m256 ninf = _mm256_set1_ps(-INFINITY);
    const int nfull = N & ~7;
    for (int r = 0; r < M; r++) {
        float *s = S + (long)r * lds;
        __m256 vmax = ninf;
        for (int j = 0; j < nfull; j += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(s + j));
        float mx = hmax256(vmax);
        for (int j = nfull; j < N; j++) mx = s[j] > mx ? s[j] : mx;
        const float mold = m[r];
        const float mnew = mold > mx ? mold : mx;
        if (mnew == -INFINITY) {          /* fully masked so far: avoid -inf - -inf = NaN */
            for (int j = 0; j < N; j++) s[j] = 0.0f;
            continue;
        }
        const float c = (mold == -INFINITY) ? 0.0f : ag_expf(mold - mnew);
        if (c != 1.0f) {                  /* rescale only when the running max moved */
            float *a = acc + (long)r * ldacc;
            const __m256 vc = _mm256_set1_ps(c);
            int j = 0;
            l[r] *= c;
            for (; j + 8 <= DV; j += 8) _mm256_storeu_ps(a + j, _mm256_mul_ps(vc, _mm256_loadu_ps(a + j)));
            for (; j < DV; j++) a[j] *= c;
        }
        const __m256 vm = _mm256_set1_ps(mnew);
        __m256 vsum = _mm256_setzero_ps();
        for (int j = 0; j < nfull; j += 8) {
            const __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(s + j), vm));
            _mm256_storeu_ps(s + j, e);
            vsum = _mm256_add_ps(vsum, e);
        }
        if (nfull < N) {                  /* pad with -inf: exp gives exactly 0 */
            float buf[8];
            _mm256_storeu_ps(buf, ninf);
            for (int j = nfull; j < N; j++) buf[j - nfull] = s[j];
            const __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(buf), vm));
            _mm256_storeu_ps(buf, e);
            vsum = _mm256_add_ps(vsum, e);
            for (int j = nfull; j < N; j++) s[j] = buf[j - nfull];
        }
        l[r] += hsum256(vsum);
        m[r] = mnew;
    }
}

AG_TARGET_AVX2 void ag_softmax_finalize_avx2(int M, int DV, float *acc, int ldacc,
                                             const float *m, const float *l, float *lse) {
    for (int r = 0; r < M; r++) {
        float *a = acc + (long)r * ldacc;
        const float lr = l[r];
        if (lr == 0.0f) {
            for (int j = 0; j < DV; j++) a[j] = 0.0f;
            if (lse) lse[r] = -INFINITY;
            continue;
        }
        const __m256 vl = _mm256_set1_ps(lr);
        int j = 0;
        for (; j + 8 <= DV; j += 8) _mm256_storeu_ps(a + j, _mm256_div_ps(_mm256_loadu_ps(a + j), vl));
        for (; j < DV; j++) a[j] /= lr;
        if (lse) lse[r] = m[r] + ag_logf(lr);
    }
}

#endif /* AG_X86 */
