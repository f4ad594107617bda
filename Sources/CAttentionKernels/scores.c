/* Score modifiers (softcap, ALiBi) and the softcap's chain rule: portable C for every ISA.
   They touch each score once, next to two matrix products that touch it head-dim times. */
#include "ag_internal.h"

/* tanh to a few ulp without libm: an odd Taylor polynomial near 0 (where 1 - 2/(e^2x + 1)
   would cancel), the exp form elsewhere; NaN propagates and +-inf gives +-1. */
float ag_tanhf(float x) {
    if (x != x) return x;
    const float a = x < 0.0f ? -x : x;
    float t;
    if (a < 0.25f) {
        const float z = a * a;
        /* x - x^3/3 + 2x^5/15 - 17x^7/315 + 62x^9/2835 - 1382x^11/155925: the next term is below 2^-31 x. */
        t = a + a * z * (-1.0f / 3 + z * (2.0f / 15 + z * (-17.0f / 315 + z * (62.0f / 2835 + z * (-1382.0f / 155925)))));
    } else if (a > 9.0f) {
        t = 1.0f;                                  /* 1 - tanh(9) < 2^-25 */
    } else {
        t = 1.0f - 2.0f / (ag_expf(2.0f * a) + 1.0f);
    }
    return x < 0.0f ? -t : t;
}

void ag_modify_scores(int M, int N, float *S, int lds, float softcap, float slope,
                      const int64_t *query_positions, const int64_t *key_positions,
                      float *cap_slopes, int ldc) {
    for (int r = 0; r < M; r++) {
        float *row = S + (long)r * lds;
        if (softcap > 0.0f) {
            const float inverse = 1.0f / softcap;
            float *slopes = cap_slopes ? cap_slopes + (long)r * ldc : 0;
            for (int j = 0; j < N; j++) {
                const float t = ag_tanhf(row[j] * inverse);
                row[j] = softcap * t;
                if (slopes) slopes[j] = 1.0f - t * t;
            }
        }
        if (slope != 0.0f && query_positions && key_positions) {
            const int64_t query = query_positions[r];
            for (int j = 0; j < N; j++) {
                const int64_t distance = query > key_positions[j] ? query - key_positions[j] : key_positions[j] - query;
                row[j] -= slope * (float)distance;
            }
        }
    }
}

void ag_multiply_elementwise(int M, int N, float *A, int lda, const float *B, int ldb) {
    for (int r = 0; r < M; r++) {
        float *a = A + (long)r * lda;
        const float *b = B + (long)r * ldb;
        for (int j = 0; j < N; j++) a[j] *= b[j];
    }
}
