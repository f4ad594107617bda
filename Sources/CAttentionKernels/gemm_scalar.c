/* Portable reference-quality GEMMs (fallback for non-x86 / old CPUs). */
#include "ag_internal.h"

void ag_gemm_abt_scalar(int M, int N, int K, float alpha, const float *A, int lda,
                        const float *B, int ldb, float *S, int lds) {
    for (int i = 0; i < M; i++) {
        const float *a = A + (long)i * lda;
        for (int j = 0; j < N; j++) {
            const float *b = B + (long)j * ldb;
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

void ag_gemm_ab_scalar(int M, int N, int K, float alpha, const float *A, int lda,
                       const float *B, int ldb, float *C, int ldc) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C[(long)i * ldc + j] = 0.0f;
    ag_gemm_ab_acc_scalar(M, N, K, A, lda, B, ldb, C, ldc);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C[(long)i * ldc + j] *= alpha;
}

void ag_gemm_ab_acc_scalar(int M, int N, int K, const float *A, int lda,
                           const float *B, int ldb, float *C, int ldc) {
    for (int i = 0; i < M; i++) {
        float *c = C + (long)i * ldc;
        const float *a = A + (long)i * lda;
        for (int k = 0; k < K; k++) {
            const float av = a[k];
            const float *b = B + (long)k * ldb;
            for (int j = 0; j < N; j++) c[j] += av * b[j];
        }
    }
}
