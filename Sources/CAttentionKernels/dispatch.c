/* Run-time ISA selection. Uses cpuid/xgetbv directly (not __builtin_cpu_supports)
   so no libgcc/compiler-rt symbol is needed at link time, and OS support for the
   YMM/ZMM register state is verified. */
#include "ag_internal.h"
#include <stddef.h>

#define AG_TABLE(sfx) {                                                       \
    #sfx, ag_gemm_abt_##sfx, ag_gemm_ab_acc_##sfx, ag_gemm_ab_##sfx, ag_gemm_abt_rows_##sfx,     \
    ag_gemm_ab_acc_rows_##sfx, ag_mask_bits_##sfx, ag_transpose_##sfx, ag_softmax_update_##sfx,   \
    ag_softmax_finalize_##sfx, ag_softmax_gradient_##sfx, ag_f16_to_f32_##sfx, ag_f32_to_f16_##sfx,       \
    ag_bf16_to_f32_##sfx, ag_f32_to_bf16_##sfx, ag_f16_exact_##sfx, ag_bf16_exact_##sfx,     \
    ag_f16_exact_rows_##sfx, ag_bf16_exact_rows_##sfx }

static const ag_impl ag_impl_scalar = AG_TABLE(scalar);
#if AG_X86
static const ag_impl ag_impl_avx2 = AG_TABLE(avx2);
static const ag_impl ag_impl_avx512 = AG_TABLE(avx512);
#endif

#if AG_X86
#include <cpuid.h>

static uint64_t ag_xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0)); /* xgetbv */
    return ((uint64_t)hi << 32) | lo;
}

/* 0 = scalar, 2 = avx2 (+fma,f16c), 3 = avx512 (f,vl,dq,bw). */
static int ag_detect_level(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1, f16c = (c >> 29) & 1;
    if (!(osxsave && avx && fma && f16c)) return 0;
    uint64_t xcr0 = ag_xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return 0;                 /* XMM + YMM state enabled */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int avx2 = (b >> 5) & 1;
    if (!avx2) return 0;
    int f512 = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
    if (f512 && dq && bw && vl && (xcr0 & 0xe6) == 0xe6) return 3; /* opmask + ZMM state */
    return 2;
}
#endif

static const ag_impl *ag_best_impl(void) {
#if AG_X86
    int lvl = ag_detect_level();
    if (lvl >= 3) return &ag_impl_avx512;
    if (lvl >= 2) return &ag_impl_avx2;
#endif
    return &ag_impl_scalar;
}

/* Resolved lazily; racing first calls all compute the same answer, so a plain
   atomic store is enough (no lock needed). */
static const ag_impl *ag_current;

static inline const ag_impl *ag_impl_get(void) {
    const ag_impl *p = __atomic_load_n(&ag_current, __ATOMIC_ACQUIRE);
    if (__builtin_expect(p == NULL, 0)) {
        p = ag_best_impl();
        __atomic_store_n(&ag_current, p, __ATOMIC_RELEASE);
    }
    return p;
}

const char *ag_kernels_isa(void) { return ag_impl_get()->name; }

/* The implementation numbered `isa` (0 = best) if this CPU and build have it, else NULL. */
static const ag_impl *ag_impl_for(int isa) {
    switch (isa) {
    case 0: return ag_best_impl();
    case 1: return &ag_impl_scalar;
#if AG_X86
    case 2: return ag_detect_level() >= 2 ? &ag_impl_avx2 : NULL;
    case 3: return ag_detect_level() >= 3 ? &ag_impl_avx512 : NULL;
#endif
    default: return NULL;
    }
}

/* The row scan of one implementation; empty tiles hold exactly. */
static int ag_exact_rows_with(const ag_impl *p, int bfloat16, const float *src, long rows, long width, long ld) {
    if (rows <= 0 || width <= 0) return 1;
    return bfloat16 ? p->bf16_exact_rows(src, rows, width, ld) : p->f16_exact_rows(src, rows, width, ld);
}

int ag_exact_rows_on_isa(int isa, int bfloat16, const float *src, long rows, long width, long ld) {
    const ag_impl *p = ag_impl_for(isa);
    if (!p || rows < 0 || width < 0) return -1;
    return ag_exact_rows_with(p, bfloat16, src, rows, width, ld);
}

int ag_kernels_force_isa(int isa) {
    const ag_impl *p = ag_impl_for(isa);
    if (!p) return -1;
    __atomic_store_n(&ag_current, p, __ATOMIC_RELEASE);
    return 0;
}

int ag_convert_on_isa(int isa, int conversion, const void *src, void *dst, long n) {
    const ag_impl *p = ag_impl_for(isa);
    if (!p || n < 0) return -1;
    if (n == 0) {
        if (conversion == 4 || conversion == 5) *(int *)dst = 1;
        return 0;
    }
    switch (conversion) {
    case 0: p->f16_to_f32((const uint16_t *)src, (float *)dst, n); return 0;
    case 1: p->f32_to_f16((const float *)src, (uint16_t *)dst, n); return 0;
    case 2: p->bf16_to_f32((const uint16_t *)src, (float *)dst, n); return 0;
    case 3: p->f32_to_bf16((const float *)src, (uint16_t *)dst, n); return 0;
    case 4: *(int *)dst = p->f16_exact((const float *)src, n); return 0;
    case 5: *(int *)dst = p->bf16_exact((const float *)src, n); return 0;
    default: return -1;
    }
}

/* S = 0 for an empty sum. */
static void ag_zero(int M, int N, float *S, int lds) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) S[(long)i * lds + j] = 0.0f;
}

/* The products on one implementation: trivial sizes are validated once here, so kernels can
   assume >= 1. */
static void ag_gemm_with(const ag_impl *p, int op, int M, int N, int K, float alpha, const float *A, int lda,
                         const float *B, int ldb, const float *const *rows, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0) { /* empty sum: C = 0, or C unchanged when accumulating */
        if (op != AG_GEMM_AB_ACC && op != AG_GEMM_AB_ACC_ROWS) ag_zero(M, N, C, ldc);
        return;
    }
    switch (op) {
    case AG_GEMM_ABT: p->gemm_abt(M, N, K, alpha, A, lda, B, ldb, C, ldc); break;
    case AG_GEMM_ABT_ROWS: p->gemm_abt_rows(M, N, K, alpha, A, lda, rows, C, ldc); break;
    case AG_GEMM_AB: p->gemm_ab(M, N, K, alpha, A, lda, B, ldb, C, ldc); break;
    case AG_GEMM_AB_ACC: p->gemm_ab_acc(M, N, K, A, lda, B, ldb, C, ldc); break;
    case AG_GEMM_AB_ACC_ROWS: p->gemm_ab_acc_rows(M, N, K, A, lda, rows, C, ldc); break;
    }
}

int ag_gemm_on_isa(int isa, int op, int M, int N, int K, float alpha, const float *A, int lda,
                   const float *B, int ldb, const float *const *rows, float *C, int ldc) {
    const ag_impl *p = ag_impl_for(isa);
    if (!p || op < AG_GEMM_ABT || op > AG_GEMM_AB_ACC_ROWS) return -1;
    ag_gemm_with(p, op, M, N, K, alpha, A, lda, B, ldb, rows, C, ldc);
    return 0;
}

void ag_gemm_abt(int M, int N, int K, float alpha, const float *A, int lda,
                 const float *B, int ldb, float *S, int lds) {
    ag_gemm_with(ag_impl_get(), AG_GEMM_ABT, M, N, K, alpha, A, lda, B, ldb, 0, S, lds);
}

void ag_gemm_abt_rows(int M, int N, int K, float alpha, const float *A, int lda,
                      const float *const *rows, float *S, int lds) {
    ag_gemm_with(ag_impl_get(), AG_GEMM_ABT_ROWS, M, N, K, alpha, A, lda, 0, 0, rows, S, lds);
}

void ag_gemm_ab(int M, int N, int K, float alpha, const float *A, int lda,
                const float *B, int ldb, float *C, int ldc) {
    ag_gemm_with(ag_impl_get(), AG_GEMM_AB, M, N, K, alpha, A, lda, B, ldb, 0, C, ldc);
}

void ag_gemm_ab_acc(int M, int N, int K, const float *A, int lda,
                    const float *B, int ldb, float *C, int ldc) {
    ag_gemm_with(ag_impl_get(), AG_GEMM_AB_ACC, M, N, K, 1.0f, A, lda, B, ldb, 0, C, ldc);
}

void ag_gemm_ab_acc_rows(int M, int N, int K, const float *A, int lda,
                         const float *const *rows, float *C, int ldc) {
    ag_gemm_with(ag_impl_get(), AG_GEMM_AB_ACC_ROWS, M, N, K, 1.0f, A, lda, 0, 0, rows, C, ldc);
}

static void ag_mask_bits_with(const ag_impl *p, int M, int N, float *S, int lds, const uint16_t *bits, int ldbits) {
    if (M > 0 && N > 0) p->mask_bits(M, N, S, lds, bits, ldbits);
}

void ag_mask_bits(int M, int N, float *S, int lds, const uint16_t *bits, int ldbits) {
    ag_mask_bits_with(ag_impl_get(), M, N, S, lds, bits, ldbits);
}

int ag_mask_bits_on_isa(int isa, int M, int N, float *S, int lds, const uint16_t *bits, int ldbits) {
    const ag_impl *p = ag_impl_for(isa);
    if (!p) return -1;
    ag_mask_bits_with(p, M, N, S, lds, bits, ldbits);
    return 0;
}

static void ag_transpose_with(const ag_impl *p, int M, int N, const float *A, int lda, float *B, int ldb) {
    if (M > 0 && N > 0) p->transpose(M, N, A, lda, B, ldb);
}

void ag_transpose(int M, int N, const float *A, int lda, float *B, int ldb) {
    ag_transpose_with(ag_impl_get(), M, N, A, lda, B, ldb);
}

int ag_transpose_on_isa(int isa, int M, int N, const float *A, int lda, float *B, int ldb) {
    const ag_impl *p = ag_impl_for(isa);
    if (!p) return -1;
    ag_transpose_with(p, M, N, A, lda, B, ldb);
    return 0;
}

void ag_add_rows(int M, int N, const float *src, int lds, float *const *dst) {
    for (int r = 0; r < M; r++) {
        float *restrict target = dst[r];
        const float *restrict row = src + (long)r * lds;
        for (int j = 0; j < N; j++) target[j] += row[j];
    }
}

void ag_softmax_update(int M, int N, float *S, int lds, float *m, float *l,
                       float *acc, int ldacc, int DV) {
    if (M <= 0 || N <= 0) return; /* empty key tile: mnew == m, c == 1, nothing changes */
    if (DV < 0) DV = 0;
    ag_impl_get()->softmax_update(M, N, S, lds, m, l, acc, ldacc, DV);
}

void ag_softmax_finalize(int M, int DV, float *acc, int ldacc,
                         const float *m, const float *l, float *lse) {
    if (M <= 0) return;
    if (DV < 0) DV = 0;
    ag_impl_get()->softmax_finalize(M, DV, acc, ldacc, m, l, lse);
}

void ag_softmax_gradient(int M, int N, float *S, int lds, float *dP, int lddp,
                         const float *lse, const float *D, float scale) {
    if (M <= 0 || N <= 0) return;
    ag_impl_get()->softmax_gradient(M, N, S, lds, dP, lddp, lse, D, scale);
}

void ag_f16_to_f32(const uint16_t *src, float *dst, long n) {
    if (n > 0) ag_impl_get()->f16_to_f32(src, dst, n);
}
void ag_f32_to_f16(const float *src, uint16_t *dst, long n) {
    if (n > 0) ag_impl_get()->f32_to_f16(src, dst, n);
}
void ag_bf16_to_f32(const uint16_t *src, float *dst, long n) {
    if (n > 0) ag_impl_get()->bf16_to_f32(src, dst, n);
}
void ag_f32_to_bf16(const float *src, uint16_t *dst, long n) {
    if (n > 0) ag_impl_get()->f32_to_bf16(src, dst, n);
}
int ag_f16_exact(const float *src, long n) { return n <= 0 || ag_impl_get()->f16_exact(src, n); }
int ag_bf16_exact(const float *src, long n) { return n <= 0 || ag_impl_get()->bf16_exact(src, n); }

int ag_exact_rows(int bfloat16, const float *src, long rows, long width, long ld) {
    return ag_exact_rows_with(ag_impl_get(), bfloat16, src, rows, width, ld);
}
