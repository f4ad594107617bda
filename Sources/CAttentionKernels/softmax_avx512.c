/* AVX-512 online-softmax update / finalisation with a vectorised exp. */
#include "ag_internal.h"
#if AG_X86
#include <immintrin.h>
#include <math.h>   /* INFINITY macro only */

/* exp(x): Cody-Waite reduction + degree-7 polynomial; vscalefps applies 2^n with
   correct rounding into the subnormal range and overflow to +inf. NaN propagates
   (max/min return their second operand when it is NaN). */
AG_TARGET_AVX512 AG_INLINE __m512 exp512(__m512 x) {
    x = _mm512_max_ps(_mm512_set1_ps(AG_EXP_LO), x);
    x = _mm512_min_ps(_mm512_set1_ps(AG_EXP_HI), x);
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(AG_LOG2E)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(AG_LN2_C1), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(AG_LN2_C2), r);
    __m512 p = _mm512_set1_ps(AG_EXP_P0);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(AG_EXP_P1));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(AG_EXP_P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(AG_EXP_P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(AG_EXP_P4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(AG_EXP_P5));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r);
    p = _mm512_add_ps(p, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

/* Exposed for the test harness (checks the vector exp over the float range). */
AG_TARGET_AVX512 void ag_exp_avx512(const float *x, float *y, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, exp512(_mm512_loadu_ps(x + i)));
    if (i < n) {
        const __mmask16 m = (__mmask16)(0xFFFFu >> (16 - (n - i)));
        _mm512_mask_storeu_ps(y + i, m, exp512(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

AG_TARGET_AVX512 AG_INLINE __mmask16 tail_mask(int rem) {
    return (__mmask16)(rem >= 16 ? 0xFFFFu : 0xFFFFu >> (16 - rem));
}

AG_TARGET_AVX512 void ag_softmax_update_avx512(int M, int N, float *S, int lds, float *m,
                                               float *l, float *acc, int ldacc, int DV) {
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    for (int r = 0; r < M; r++) {
        float *s = S + (long)r * lds;
        __m512 vmax = ninf;
        for (int j = 0; j < N; j += 16)   /* masked-off lanes read as -inf */
            vmax = _mm512_max_ps(vmax, _mm512_mask_loadu_ps(ninf, tail_mask(N - j), s + j));
        const float mx = _mm512_reduce_max_ps(vmax);
        const float mold = m[r];
        const float mnew = mold > mx ? mold : mx;
        if (mnew == -INFINITY) {          /* fully masked so far: avoid -inf - -inf = NaN */
            for (int j = 0; j < N; j += 16)
                _mm512_mask_storeu_ps(s + j, tail_mask(N - j), _mm512_setzero_ps());
            continue;
        }
        const float c = (mold == -INFINITY) ? 0.0f : ag_expf(mold - mnew);
        if (c != 1.0f) {                  /* rescale only when the running max moved */
            float *a = acc + (long)r * ldacc;
            const __m512 vc = _mm512_set1_ps(c);
            l[r] *= c;
            for (int j = 0; j < DV; j += 16) {
                const __mmask16 mk = tail_mask(DV - j);
                _mm512_mask_storeu_ps(a + j, mk, _mm512_mul_ps(vc, _mm512_maskz_loadu_ps(mk, a + j)));
            }
        }
        const __m512 vm = _mm512_set1_ps(mnew);
        __m512 vsum = _mm512_setzero_ps();
        int j = 0;
        for (; j + 16 <= N; j += 16) {
            const __m512 e = exp512(_mm512_sub_ps(_mm512_loadu_ps(s + j), vm));
            _mm512_storeu_ps(s + j, e);
            vsum = _mm512_add_ps(vsum, e);
        }
        if (j < N) {
            const __mmask16 mk = tail_mask(N - j);
            const __m512 e = exp512(_mm512_sub_ps(_mm512_mask_loadu_ps(ninf, mk, s + j), vm));
            _mm512_mask_storeu_ps(s + j, mk, e);
            vsum = _mm512_add_ps(vsum, e);  /* inactive lanes are exp(-inf) = 0 */
        }
        l[r] += _mm512_reduce_add_ps(vsum);
        m[r] = mnew;
    }
}

AG_TARGET_AVX512 void ag_softmax_finalize_avx512(int M, int DV, float *acc, int ldacc,
                                                 const float *m, const float *l, float *lse) {
    for (int r = 0; r < M; r++) {
        float *a = acc + (long)r * ldacc;
        const float lr = l[r];
        const int masked = (lr == 0.0f);
        const __m512 vl = _mm512_set1_ps(lr);
        for (int j = 0; j < DV; j += 16) {
            const __mmask16 mk = tail_mask(DV - j);
            const __m512 v = masked ? _mm512_setzero_ps()
                                    : _mm512_div_ps(_mm512_maskz_loadu_ps(mk, a + j), vl);
            _mm512_mask_storeu_ps(a + j, mk, v);
        }
        if (lse) lse[r] = masked ? -INFINITY : m[r] + ag_logf(lr);
    }
}

#endif /* AG_X86 */
