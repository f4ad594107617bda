/* Portable exp/log used by the scalar path and by the SIMD paths for per-row
   scalars. Self-contained so the target never needs libm at link time. */
#include "ag_internal.h"

static inline float ag_bits_to_f(uint32_t u) { float f; AG_MEMCPY(&f, &u, 4); return f; }
static inline uint32_t ag_f_to_bits(float f) { uint32_t u; AG_MEMCPY(&u, &f, 4); return u; }

float ag_expf(float x) {
    if (x != x) return x;                       /* NaN propagates */
    if (x > AG_EXP_HI) x = AG_EXP_HI;           /* -> +inf below */
    if (x < AG_EXP_LO) x = AG_EXP_LO;           /* -> 0 below (also handles -inf) */
    float t = x * AG_LOG2E;
    int n = (int)(t + (t >= 0.0f ? 0.5f : -0.5f));
    float fn = (float)n;
    float r = x - fn * AG_LN2_C1;               /* exact: C1 has 9 significant bits */
    r = r - fn * AG_LN2_C2;
    float p = ((((AG_EXP_P0 * r + AG_EXP_P1) * r + AG_EXP_P2) * r + AG_EXP_P3) * r + AG_EXP_P4) * r + AG_EXP_P5;
    p = p * (r * r) + r + 1.0f;
    /* 2^n in two normal-range factors so subnormal results round only once and
       n up to 129 overflows cleanly to +inf. */
    int n1 = (n >= 0) ? n / 2 : -((1 - n) / 2);  /* floor(n/2) */
    int n2 = n - n1;
    float s1 = ag_bits_to_f((uint32_t)(n1 + 127) << 23);
    float s2 = ag_bits_to_f((uint32_t)(n2 + 127) << 23);
    return (p * s1) * s2;
}

/* Cephes-style logf: x = 2^e * m, m in [sqrt(1/2), sqrt(2)), polynomial in m-1. */
float ag_logf(float x) {
    if (x != x) return x;
    if (x < 0.0f) return AG_NAN;
    if (x == 0.0f) return -AG_INF;
    if (x == AG_INF) return x;
    int e = 0;
    uint32_t u = ag_f_to_bits(x);
    if ((u >> 23) == 0) {                       /* subnormal: normalise first */
        x *= 8388608.0f;
        e = -23;
        u = ag_f_to_bits(x);
    }
    e += (int)((u >> 23) & 0xff) - 126;
    float mnt = ag_bits_to_f((u & 0x007fffffu) | 0x3f000000u); /* [0.5, 1) */
    float f;
    if (mnt < 0.707106781186547524f) { e -= 1; f = mnt + mnt - 1.0f; }
    else f = mnt - 1.0f;
    float z = f * f;
    float y = ((((((((7.0376836292e-2f * f - 1.1514610310e-1f) * f + 1.1676998740e-1f) * f
              - 1.2420140846e-1f) * f + 1.4249322787e-1f) * f - 1.6668057665e-1f) * f
              + 2.0000714765e-1f) * f - 2.4999993993e-1f) * f + 3.3333331174e-1f) * f * z;
    float fe = (float)e;
    y += AG_LN2_C2 * fe;
    y += -0.5f * z;
    z = f + y;
    z += AG_LN2_C1 * fe;
    return z;
}
