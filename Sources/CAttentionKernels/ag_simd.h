/* Private: thin SIMD layer for the x86 kernels.
   Plain arithmetic is written with vector-extension operators / elementwise
   builtins, which compile to one instruction each even at -O0; the equivalent
   intrinsics are nested always_inline wrappers that cost ~25 stack moves per
   FMA in debug builds. Everything without an operator form stays an intrinsic. */
#ifndef AG_SIMD_H
#define AG_SIMD_H

#include "ag_internal.h"
#if AG_X86
#include <immintrin.h>

#ifndef __has_builtin
#define __has_builtin(x) 0
#endif

/* Unaligned, aliasing-safe views for loads and stores. */
typedef float ag_v16u __attribute__((vector_size(64), aligned(4), may_alias));
typedef float ag_v8u __attribute__((vector_size(32), aligned(4), may_alias));

#define AG_LD16(p) ((__m512)(*(const ag_v16u *)(p)))
#define AG_ST16(p, v) (*(ag_v16u *)(p) = (ag_v16u)(v))
#define AG_LD8(p) ((__m256)(*(const ag_v8u *)(p)))
#define AG_ST8(p, v) (*(ag_v8u *)(p) = (ag_v8u)(v))

#if __has_builtin(__builtin_elementwise_fma)
#define AG_FMA16(a, b, c) __builtin_elementwise_fma((__m512)(a), (__m512)(b), (__m512)(c))
#define AG_FMA8(a, b, c) __builtin_elementwise_fma((__m256)(a), (__m256)(b), (__m256)(c))
#else
#define AG_FMA16(a, b, c) _mm512_fmadd_ps(a, b, c)
#define AG_FMA8(a, b, c) _mm256_fmadd_ps(a, b, c)
#endif

/* Splatted constants as static data: one load each, even at -O0 (set1 is several moves). */
typedef float ag_v16 __attribute__((vector_size(64)));
typedef float ag_v8 __attribute__((vector_size(32)));
#define AG_SPLAT8(x) { x, x, x, x, x, x, x, x }
#define AG_SPLAT16(x) { x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x }

#endif /* AG_X86 */
#endif /* AG_SIMD_H */
