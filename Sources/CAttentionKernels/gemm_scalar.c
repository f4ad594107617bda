/* Portable reference-quality GEMMs (fallback for non-x86 / old CPUs). */
#include "ag_internal.h"

/* One dot product per score; row j of B at rows[j], or at B + j * ldb when rows is NULL. */
static void abt(int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
                const float *const *rows, float *S, int lds) {
    for (int i = 0; i < M; i++) {
        const float *a = A + (long)i * lda;
        for (int j = 0; j < N; j++) {
            const float *b = rows ? rows[j] : B + (long)j * ldb;
            /* 4 partial sums: shorter dependency chain, better accuracy */
            float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
            int k = 0;
            for (; k + 4 <= K; k += 4) {
                s0 += a[k] * b[k]; s1 += a[k + 1] * b[k + 1];
                s2 += a[k + 2] * b[k + 2]; s3 += a[k + 3] * b[k + 3];
            }
            for (; k < K; k++) s0 += a[k] * b[k];
            S[(long)i * lds + j] = alpha * ((s0 + s1) + (s2 + s3));
        }
    }
}

void ag_gemm_abt_scalar(int M, int N, int K, float alpha, const float *A, int lda,
                        const float *B, int ldb, float *S, int lds) {
    abt(M, N, K, alpha, A, lda, B, ldb, 0, S, lds);
}

void ag_gemm_abt_rows_scalar(int M, int N, int K, float alpha, const float *A, int lda,
                             const float *const *rows, float *S, int lds) {
    abt(M, N, K, alpha, A, lda, 0, 0, rows, S, lds);
}

void ag_gemm_ab_scalar(int M, int N, int K, float alpha, const float *A, int lda,
                       const float *B, int ldb, float *C, int ldc) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C[(long)i * ldc + j] = 0.0f;
    ag_gemm_ab_acc_scalar(M, N, K, A, lda, B, ldb, C, ldc);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C[(long)i * ldc + j] *= alpha;
}

/* Row k of B at rows[k], or at B + k * ldb when rows is NULL. */
static void ab_acc(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                   const float *const *rows, float *C, int ldc) {
    for (int i = 0; i < M; i++) {
        float *c = C + (long)i * ldc;
        const float *a = A + (long)i * lda;
        for (int k = 0; k < K; k++) {
            const float av = a[k];
            const float *b = rows ? rows[k] : B + (long)k * ldb;
            for (int j = 0; j < N; j++) c[j] += av * b[j];
        }
    }
}

void ag_gemm_ab_acc_scalar(int M, int N, int K, const float *A, int lda,
                           const float *B, int ldb, float *C, int ldc) {
    ab_acc(M, N, K, A, lda, B, ldb, 0, C, ldc);
}

void ag_gemm_ab_acc_rows_scalar(int M, int N, int K, const float *A, int lda,
                                const float *const *rows, float *C, int ldc) {
    ab_acc(M, N, K, A, lda, 0, 0, rows, C, ldc);
}

void ag_mask_bits_scalar(int M, int N, float *S, int lds, const uint16_t *bits, int ldbits) {
    for (int r = 0; r < M; r++)
        for (int j = 0; j < N; j++)
            if (!((bits[(long)r * ldbits + (j >> 4)] >> (j & 15)) & 1u)) S[(long)r * lds + j] = -AG_INF;
}

void ag_transpose_scalar(int M, int N, const float *A, int lda, float *B, int ldb) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) B[(long)j * ldb + i] = A[(long)i * lda + j];
}
