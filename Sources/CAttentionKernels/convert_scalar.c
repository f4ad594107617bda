/* Portable float16 / bfloat16 <-> float32 conversions (bit-exact, integer only,
   so the result never depends on the FP environment). */
#include "ag_internal.h"

static inline float bits_f(uint32_t u) { float f; AG_MEMCPY(&f, &u, 4); return f; }
static inline uint32_t f_bits(float f) { uint32_t u; AG_MEMCPY(&u, &f, 4); return u; }

static inline float half_to_float(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t e = (h >> 10) & 0x1f, mant = h & 0x3ffu;
    if (e == 0) {   /* zero / subnormal: mant * 2^-24 is exact in float */
        const float v = (float)mant * 5.9604644775390625e-8f;
        return bits_f(f_bits(v) | sign);
    }
    if (e == 31) return bits_f(sign | 0x7f800000u | (mant << 13)); /* inf / NaN */
    return bits_f(sign | ((e + 112) << 23) | (mant << 13));
}

static inline uint16_t float_to_half(float f) {
    const uint32_t u = f_bits(f);
    const uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    const uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu)); /* quiet NaN */
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);   /* >= 65520 rounds to inf */
    if (a < 0x38800000u) {                                     /* half subnormal / zero */
        if (a <= 0x33000000u) return sign;                     /* <= 2^-25 rounds to 0 */
        const uint32_t e = a >> 23, mant = (a & 0x7fffffu) | 0x800000u;
        const uint32_t shift = 126 - e;                         /* 14..24 */
        uint32_t h = mant >> shift;
        const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) h++;
        return (uint16_t)(sign | h);
    }
    const uint32_t t = a - 0x38000000u;                         /* rebias exponent 127 -> 15 */
    uint32_t h = t >> 13;
    const uint32_t rem = t & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) h++;
    return (uint16_t)(sign | h);
}

static inline uint16_t float_to_bf16(float f) {
    const uint32_t u = f_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u); /* keep NaN */
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

void ag_f16_to_f32_scalar(const uint16_t *src, float *dst, long n) {
    for (long i = 0; i < n; i++) dst[i] = half_to_float(src[i]);
}
void ag_f32_to_f16_scalar(const float *src, uint16_t *dst, long n) {
    for (long i = 0; i < n; i++) dst[i] = float_to_half(src[i]);
}
void ag_bf16_to_f32_scalar(const uint16_t *src, float *dst, long n) {
    for (long i = 0; i < n; i++) dst[i] = bits_f((uint32_t)src[i] << 16);
}
void ag_f32_to_bf16_scalar(const float *src, uint16_t *dst, long n) {
    for (long i = 0; i < n; i++) dst[i] = float_to_bf16(src[i]);
}
int ag_f16_exact_scalar(const float *src, long n) {
    for (long i = 0; i < n; i++)
        if (f_bits(half_to_float(float_to_half(src[i]))) != f_bits(src[i])) return 0;
    return 1;
}
int ag_bf16_exact_scalar(const float *src, long n) {
    for (long i = 0; i < n; i++)
        if ((uint32_t)float_to_bf16(src[i]) << 16 != f_bits(src[i])) return 0;
    return 1;
}
AG_EXACT_ROWS_BY_ROW(scalar)
