/* SIMD float16 / bfloat16 conversions (F16C for AVX2, AVX-512F/BW for AVX-512).
   The hardware half conversions are exact/RNE incl. subnormals; bfloat16 rounding
   is done in integer arithmetic (vcvtneps2bf16 would flush denormal inputs). */
#include "ag_internal.h"
#if AG_X86
#include <immintrin.h>

/* ---- AVX2 / F16C ---- */

AG_TARGET_AVX2 void ag_f16_to_f32_avx2(const uint16_t *src, float *dst, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
    ag_f16_to_f32_scalar(src + i, dst + i, n - i);
}

AG_TARGET_AVX2 void ag_f32_to_f16_avx2(const float *src, uint16_t *dst, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(dst + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    ag_f32_to_f16_scalar(src + i, dst + i, n - i);
}

AG_TARGET_AVX2 void ag_bf16_to_f32_avx2(const uint16_t *src, float *dst, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(src + i)));
        _mm256_storeu_si256((__m256i *)(dst + i), _mm256_slli_epi32(w, 16));
    }
    ag_bf16_to_f32_scalar(src + i, dst + i, n - i);
}

/* The bfloat16 pattern of each lane (in its low 16 bits): round to nearest even, NaN quietened. */
AG_TARGET_AVX2 AG_INLINE __m256i bf16_bits_avx2(__m256 v) {
    const __m256i u = _mm256_castps_si256(v);
    const __m256i hi = _mm256_srli_epi32(u, 16);
    const __m256i rne = _mm256_srli_epi32(
        _mm256_add_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(0x7fff)), _mm256_and_si256(hi, _mm256_set1_epi32(1))), 16);
    const __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    return _mm256_blendv_epi8(rne, _mm256_or_si256(hi, _mm256_set1_epi32(0x40)), nan);
}

AG_TARGET_AVX2 void ag_f32_to_bf16_avx2(const float *src, uint16_t *dst, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i r = bf16_bits_avx2(_mm256_loadu_ps(src + i));
        /* values are <= 0xffff, so the unsigned-saturating pack is exact */
        const __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi32(r, r), 0x08);
        _mm_storeu_si128((__m128i *)(dst + i), _mm256_castsi256_si128(p));
    }
    ag_f32_to_bf16_scalar(src + i, dst + i, n - i);
}

/* Exactness scans: one read, no stores. The common case is a plain bit test (a normal half
   has its 13 low float bits clear and its magnitude in range; a bfloat16 has its 16 low bits
   clear and is no NaN); a vector with any other lane (zeros, subnormals, infinities, NaNs,
   inexact values) is decided by the round trip in registers. Tails go to the scalar forms. */
AG_TARGET_AVX2 AG_INLINE int f16_round_trips_avx2(__m256i u) {
    const __m256 back = _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_castsi256_ps(u), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    return _mm256_movemask_epi8(_mm256_cmpeq_epi32(u, _mm256_castps_si256(back))) == -1;
}

AG_TARGET_AVX2 int ag_f16_exact_avx2(const float *src, long n) {
    const __m256i low = _mm256_set1_epi32(0x1fff), magnitude = _mm256_set1_epi32(0x7fffffff),
                  least = _mm256_set1_epi32(0x38800000), span = _mm256_set1_epi32(0x477fe000 - 0x38800000);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i u = _mm256_loadu_si256((const __m256i *)(src + i));
        const __m256i a = _mm256_and_si256(u, magnitude);
        const __m256i above = _mm256_sub_epi32(a, least);
        const __m256i inRange = _mm256_cmpeq_epi32(above, _mm256_min_epu32(above, span));
        const __m256i lowClear = _mm256_cmpeq_epi32(_mm256_and_si256(u, low), _mm256_setzero_si256());
        const __m256i plain = _mm256_or_si256(_mm256_and_si256(inRange, lowClear), _mm256_cmpeq_epi32(a, _mm256_setzero_si256()));
        if (_mm256_movemask_epi8(plain) != -1 && !f16_round_trips_avx2(u)) return 0;
    }
    return ag_f16_exact_scalar(src + i, n - i);
}

AG_TARGET_AVX2 int ag_bf16_exact_avx2(const float *src, long n) {
    const __m256i low = _mm256_set1_epi32(0xffff), magnitude = _mm256_set1_epi32(0x7fffffff), inf = _mm256_set1_epi32(0x7f800000);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(src + i);
        const __m256i u = _mm256_castps_si256(v);
        const __m256i lowClear = _mm256_cmpeq_epi32(_mm256_and_si256(u, low), _mm256_setzero_si256());
        const __m256i notNaN = _mm256_xor_si256(_mm256_cmpgt_epi32(_mm256_and_si256(u, magnitude), inf), _mm256_set1_epi32(-1));
        if (_mm256_movemask_epi8(_mm256_and_si256(lowClear, notNaN)) == -1) continue;
        const __m256i back = _mm256_slli_epi32(bf16_bits_avx2(v), 16);
        if (_mm256_movemask_epi8(_mm256_cmpeq_epi32(u, back)) != -1) return 0;
    }
    return ag_bf16_exact_scalar(src + i, n - i);
}

/* ---- AVX-512 ---- */

AG_TARGET_AVX512 AG_INLINE __mmask16 cvt_mask(long rem) {
    return (__mmask16)(rem >= 16 ? 0xFFFFu : 0xFFFFu >> (16 - rem));
}

AG_TARGET_AVX512 void ag_f16_to_f32_avx512(const uint16_t *src, float *dst, long n) {
    for (long i = 0; i < n; i += 16) {
        const __mmask16 m = cvt_mask(n - i);
        _mm512_mask_storeu_ps(dst + i, m, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, src + i)));
    }
}

AG_TARGET_AVX512 void ag_f32_to_f16_avx512(const float *src, uint16_t *dst, long n) {
    for (long i = 0; i < n; i += 16) {
        const __mmask16 m = cvt_mask(n - i);
        const __m256i h = _mm512_cvtps_ph(_mm512_maskz_loadu_ps(m, src + i),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm256_mask_storeu_epi16(dst + i, m, h);
    }
}

AG_TARGET_AVX512 void ag_bf16_to_f32_avx512(const uint16_t *src, float *dst, long n) {
    for (long i = 0; i < n; i += 16) {
        const __mmask16 m = cvt_mask(n - i);
        const __m512i w = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, src + i));
        _mm512_mask_storeu_ps(dst + i, m, _mm512_castsi512_ps(_mm512_slli_epi32(w, 16)));
    }
}

/* The bfloat16 pattern of each lane (in its low 16 bits): round to nearest even, NaN quietened. */
AG_TARGET_AVX512 AG_INLINE __m512i bf16_bits_avx512(__m512i u) {
    const __m512i hi = _mm512_srli_epi32(u, 16);
    const __m512i r = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7fff)), _mm512_and_si512(hi, _mm512_set1_epi32(1))), 16);
    return _mm512_mask_or_epi32(r, _mm512_cmp_ps_mask(_mm512_castsi512_ps(u), _mm512_castsi512_ps(u), _CMP_UNORD_Q), hi, _mm512_set1_epi32(0x40));
}

AG_TARGET_AVX512 void ag_f32_to_bf16_avx512(const float *src, uint16_t *dst, long n) {
    for (long i = 0; i < n; i += 16) {
        const __mmask16 m = cvt_mask(n - i);
        const __m512i r = bf16_bits_avx512(_mm512_castps_si512(_mm512_maskz_loadu_ps(m, src + i)));
        _mm256_mask_storeu_epi16(dst + i, m, _mm512_cvtepi32_epi16(r));
    }
}

/* Lanes of `u` (under `m`) that are plainly exact: see the AVX2 forms. Zeros count too. */
AG_TARGET_AVX512 AG_INLINE __mmask16 f16_plain_avx512(__m512i u) {
    const __m512i a = _mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff));
    const __mmask16 inRange = _mm512_cmple_epu32_mask(_mm512_sub_epi32(a, _mm512_set1_epi32(0x38800000)), _mm512_set1_epi32(0x477fe000 - 0x38800000));
    return _mm512_mask_testn_epi32_mask(inRange, u, _mm512_set1_epi32(0x1fff)) | _mm512_testn_epi32_mask(a, a);
}

AG_TARGET_AVX512 AG_INLINE __mmask16 bf16_plain_avx512(__m512i u) {
    const __mmask16 notNaN = _mm512_cmple_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff)), _mm512_set1_epi32(0x7f800000));
    return _mm512_mask_testn_epi32_mask(notNaN, u, _mm512_set1_epi32(0xffff));
}

AG_TARGET_AVX512 AG_INLINE int f16_round_trips_avx512(__mmask16 m, __m512i u) {
    const __m512 back = _mm512_cvtph_ps(_mm512_cvtps_ph(_mm512_castsi512_ps(u), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    return !_mm512_mask_cmpneq_epi32_mask(m, u, _mm512_castps_si512(back));
}

AG_TARGET_AVX512 AG_INLINE int bf16_round_trips_avx512(__mmask16 m, __m512i u) {
    return !_mm512_mask_cmpneq_epi32_mask(m, u, _mm512_slli_epi32(bf16_bits_avx512(u), 16));
}

/* Whole vectors unmasked, then one masked tail. */
#define AG_EXACT_AVX512(name, plain, roundTrips)                                            \
    AG_TARGET_AVX512 int name(const float *src, long n) {                                  \
        long i = 0;                                                                         \
        for (; i + 16 <= n; i += 16) {                                                      \
            const __m512i u = _mm512_loadu_si512(src + i);                                  \
            if (plain(u) != 0xFFFF && !roundTrips(0xFFFF, u)) return 0;                     \
        }                                                                                   \
        if (i == n) return 1;                                                               \
        const __mmask16 m = cvt_mask(n - i);                                                \
        const __m512i u = _mm512_maskz_loadu_epi32(m, src + i);                             \
        return (plain(u) & m) == m || roundTrips(m, u);                                     \
    }

AG_EXACT_AVX512(ag_f16_exact_avx512, f16_plain_avx512, f16_round_trips_avx512)
AG_EXACT_AVX512(ag_bf16_exact_avx512, bf16_plain_avx512, bf16_round_trips_avx512)

/* Rows of a tile in place (a decode checks its cache a few hundred bytes at a time): the
   plain lanes of a row are collected in one mask and branched on once; a row with any other
   lane goes to the single scan, which decides it vector by vector. */
#define AG_EXACT_ROWS_AVX512(name, exact, plain)                                            \
    AG_TARGET_AVX512 int name(const float *src, long rows, long width, long ld) {          \
        const long whole = width & ~15L;                                                    \
        const __mmask16 m = cvt_mask(width - whole);                                        \
        for (long r = 0; r < rows; r++) {                                                   \
            const float *row = src + r * ld;                                                \
            __mmask16 all = 0xFFFF;                                                         \
            for (long i = 0; i < whole; i += 16) all &= plain(_mm512_loadu_si512(row + i)); \
            if (m) all &= plain(_mm512_maskz_loadu_epi32(m, row + whole)) | (__mmask16)~m;  \
            if (all != 0xFFFF && !exact(row, width)) return 0;                              \
        }                                                                                   \
        return 1;                                                                           \
    }

AG_EXACT_ROWS_AVX512(ag_f16_exact_rows_avx512, ag_f16_exact_avx512, f16_plain_avx512)
AG_EXACT_ROWS_AVX512(ag_bf16_exact_rows_avx512, ag_bf16_exact_avx512, bf16_plain_avx512)
AG_EXACT_ROWS_BY_ROW(avx2)

#endif /* AG_X86 */
