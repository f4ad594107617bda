/* Portable online-softmax update / finalisation. */
#include "ag_internal.h"

void ag_softmax_update_scalar(int M, int N, float *S, int lds, float *m, float *l,
                              float *acc, int ldacc, int DV) {
    for (int r = 0; r < M; r++) {
        float *s = S + (long)r * lds;
        float mx = -AG_INF;
        for (int j = 0; j < N; j++) mx = s[j] > mx ? s[j] : mx;
        const float mold = m[r];
        const float mnew = mold > mx ? mold : mx;
        if (mnew == -AG_INF) {              /* fully masked so far: no NaN from -inf - -inf */
            ag_softmax_row_without_max(s, N, &l[r]);
            continue;
        }
        const float c = (mold == -AG_INF) ? 0.0f : ag_expf(mold - mnew);
        if (c != 1.0f) {                      /* c == 1 (max unchanged) is the common case */
            float *a = acc + (long)r * ldacc;
            l[r] *= c;
            for (int j = 0; j < DV; j++) a[j] *= c;
        }
        float sum = 0.0f;
        for (int j = 0; j < N; j++) {
            const float e = (s[j] == -AG_INF) ? 0.0f : ag_expf(s[j] - mnew);
            s[j] = e;
            sum += e;
        }
        l[r] += sum;
        m[r] = mnew;
    }
}

void ag_softmax_finalize_scalar(int M, int DV, float *acc, int ldacc,
                                const float *m, const float *l, float *lse) {
    for (int r = 0; r < M; r++) {
        float *a = acc + (long)r * ldacc;
        if (l[r] == 0.0f) {
            for (int j = 0; j < DV; j++) a[j] = 0.0f;
            if (lse) lse[r] = -AG_INF;
            continue;
        }
        const float lr = l[r];
        for (int j = 0; j < DV; j++) a[j] /= lr;
        if (lse) lse[r] = m[r] + ag_logf(lr);
    }
}

void ag_softmax_gradient_scalar(int M, int N, float *S, int lds, float *dP, int lddp,
                                const float *lse, const float *D, float scale) {
    for (int r = 0; r < M; r++) {
        float *s = S + (long)r * lds, *dp = dP + (long)r * lddp;
        const float lr = lse[r], dr = D[r];
        for (int j = 0; j < N; j++) {
            /* a row that sees no key (lse = -inf) has P = 0, and so zero gradients */
            const float p = (lr == -AG_INF || s[j] == -AG_INF) ? 0.0f : ag_expf(s[j] - lr);
            s[j] = p;
            dp[j] = scale * p * (dp[j] - dr);
        }
    }
}
