/* AVX-512 online-softmax update / finalisation with a vectorised exp.
   Rows are handled in groups of 16: row maxima first (independent rows, so their
   reduction latencies overlap), then the per-row scalars (new max, correction
   factor, l) as one vector, then the exponentials. */
#include "ag_simd.h"
#if AG_X86

static const ag_v16 k_lo = AG_SPLAT16(AG_EXP_LO), k_hi = AG_SPLAT16(AG_EXP_HI),
                    k_log2e = AG_SPLAT16(AG_LOG2E), k_c1 = AG_SPLAT16(AG_LN2_C1),
                    k_c2 = AG_SPLAT16(AG_LN2_C2), k_p0 = AG_SPLAT16(AG_EXP_P0),
                    k_p1 = AG_SPLAT16(AG_EXP_P1), k_p2 = AG_SPLAT16(AG_EXP_P2),
                    k_p3 = AG_SPLAT16(AG_EXP_P3), k_p4 = AG_SPLAT16(AG_EXP_P4),
                    k_p5 = AG_SPLAT16(AG_EXP_P5), k_one = AG_SPLAT16(1.0f),
                    k_ninf = AG_SPLAT16(-AG_INF);

/* exp(x) for x <= 0 (or NaN): Cody-Waite reduction (C1 has 9 significant bits, so
   n*C1 is exact) + degree-7 polynomial; vscalefps applies 2^n with correct rounding
   into the subnormal range. The clamp maps -inf and x < -104 to exactly 0 and keeps
   NaN (vmaxps returns its second operand when it is NaN). */
AG_TARGET_AVX512 AG_INLINE __m512 exp512_nonpos(__m512 x) {
    x = _mm512_max_ps((__m512)k_lo, x);
    const __m512 n = _mm512_roundscale_ps(x * (__m512)k_log2e, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 r = AG_FMA16(n, -(__m512)k_c2, AG_FMA16(n, -(__m512)k_c1, x));
    __m512 p = AG_FMA16((__m512)k_p0, r, (__m512)k_p1);
    p = AG_FMA16(p, r, (__m512)k_p2);
    p = AG_FMA16(p, r, (__m512)k_p3);
    p = AG_FMA16(p, r, (__m512)k_p4);
    p = AG_FMA16(p, r, (__m512)k_p5);
    p = AG_FMA16(p, r * r, r) + (__m512)k_one;
    return _mm512_scalef_ps(p, n);
}

/* General exp (also clamps above, so huge x gives +inf rather than NaN). */
AG_TARGET_AVX512 AG_INLINE __m512 exp512(__m512 x) {
    return exp512_nonpos(_mm512_min_ps((__m512)k_hi, x));
}

/* Exposed for the test harness (checks the vector exp over the float range). */
AG_TARGET_AVX512 void ag_exp_avx512(const float *x, float *y, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) AG_ST16(y + i, exp512(AG_LD16(x + i)));
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
    const __m512 ninf = (__m512)k_ninf;
    const int nfull = N & ~15;
    const __mmask16 ntail = tail_mask(N - nfull);
    for (int r0 = 0; r0 < M; r0 += 16) {
        const int g = M - r0 < 16 ? M - r0 : 16;
        const __mmask16 gm = tail_mask(g);
        _Alignas(64) float mx[16], mn[16], cf[16], sums[16];
        /* 1. row maxima (masked-off lanes read as -inf) */
        for (int i = 0; i < 16; i++) {
            if (i >= g) { mx[i] = -AG_INF; continue; }
            const float *s = S + (long)(r0 + i) * lds;
            __m512 vmax = ninf;
            for (int j = 0; j < nfull; j += 16) vmax = _mm512_max_ps(vmax, AG_LD16(s + j));
            if (nfull < N) vmax = _mm512_max_ps(vmax, _mm512_mask_loadu_ps(ninf, ntail, s + nfull));
            mx[i] = _mm512_reduce_max_ps(vmax);
        }
        /* 2. new max and correction factor c = exp(m_old - m_new) for 16 rows at once;
           m_old = -inf gives c = 0. Rows whose max is still -inf are "dead". */
        const __m512 mold = _mm512_mask_loadu_ps(ninf, gm, m + r0);
        const __m512 mnew = _mm512_max_ps(mold, AG_LD16(mx));
        const __mmask16 live = _mm512_mask_cmp_ps_mask(gm, mnew, ninf, _CMP_NEQ_OQ);
        const __m512 c = exp512_nonpos(mold - mnew);
        AG_ST16(mn, mnew);
        AG_ST16(cf, c);
        /* 3. rescale acc, exponentiate the scores, row sums */
        for (int i = 0; i < g; i++) {
            float *s = S + (long)(r0 + i) * lds;
            sums[i] = 0.0f;
            if (!((live >> i) & 1)) {     /* fully masked so far: P = 0 (NaN scores kept) */
                ag_softmax_row_without_max(s, N, &l[r0 + i]);
                continue;
            }
            if (cf[i] != 1.0f) {          /* rescale only when the running max moved */
                float *a = acc + (long)(r0 + i) * ldacc;
                const __m512 vc = _mm512_set1_ps(cf[i]);
                for (int j = 0; j < DV; j += 16) {
                    const __mmask16 mk = tail_mask(DV - j);
                    _mm512_mask_storeu_ps(a + j, mk, vc * _mm512_maskz_loadu_ps(mk, a + j));
                }
            }
            const __m512 vm = _mm512_set1_ps(mn[i]);
            __m512 vsum = _mm512_setzero_ps();
            for (int j = 0; j < nfull; j += 16) {
                const __m512 e = exp512_nonpos(AG_LD16(s + j) - vm);
                AG_ST16(s + j, e);
                vsum = vsum + e;
            }
            if (nfull < N) {              /* inactive lanes are exp(-inf) = 0 */
                const __m512 e = exp512_nonpos(_mm512_mask_loadu_ps(ninf, ntail, s + nfull) - vm);
                _mm512_mask_storeu_ps(s + nfull, ntail, e);
                vsum = vsum + e;
            }
            sums[i] = _mm512_reduce_add_ps(vsum);
        }
        /* 4. l = l*c + sum, m = m_new for live rows */
        const __m512 lv = _mm512_maskz_loadu_ps(gm, l + r0) * c;
        _mm512_mask_storeu_ps(l + r0, live, lv + AG_LD16(sums));
        _mm512_mask_storeu_ps(m + r0, live, mnew);
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
            __m512 v = _mm512_setzero_ps();
            if (!masked) v = _mm512_maskz_loadu_ps(mk, a + j) / vl;
            _mm512_mask_storeu_ps(a + j, mk, v);
        }
        if (lse) lse[r] = masked ? -AG_INF : m[r] + ag_logf(lr);
    }
}

AG_TARGET_AVX512 void ag_softmax_gradient_avx512(int M, int N, float *S, int lds, float *dP,
                                                 int lddp, const float *lse, const float *D,
                                                 float scale) {
    const __m512 vscale = _mm512_set1_ps(scale);
    for (int r = 0; r < M; r++) {
        float *s = S + (long)r * lds, *dp = dP + (long)r * lddp;
        const int empty = lse[r] == -AG_INF;  /* the row sees no key: P = 0, dS = 0 */
        const __m512 vl = _mm512_set1_ps(empty ? 0.0f : lse[r]), vd = _mm512_set1_ps(D[r]);
        for (int j = 0; j < N; j += 16) {     /* exp(-inf - lse) is exactly 0 (clamped) */
            const __mmask16 mk = tail_mask(N - j);
            __m512 p = _mm512_setzero_ps(), g = p;
            if (!empty) {
                p = exp512(_mm512_maskz_loadu_ps(mk, s + j) - vl);
                g = vscale * p * (_mm512_maskz_loadu_ps(mk, dp + j) - vd);
            }
            _mm512_mask_storeu_ps(s + j, mk, p);
            _mm512_mask_storeu_ps(dp + j, mk, g);
        }
    }
}

#endif /* AG_X86 */
