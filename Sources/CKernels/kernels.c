// The two register-tiled kernels (see aec_kernels.h), portable and AVX2 + FMA, and the choice between them.
#pragma STDC FP_CONTRACT OFF

#include "aec_kernels.h"
#include "lanes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

// MARK: - Portable: one fmaf chain per output, in the same order as the vector kernels.

static void gemm_portable(long kc, const float *a, long lda, const float *b, float *c, long ldc, int add_to_c) {
    float acc[6][16] = {{0}};
    for (long p = 0; p < kc; p++) {
        const float *bp = b + p * 16, *ap = a + p * lda;
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 16; j++) acc[i][j] = fmaf(ap[i], bp[j], acc[i][j]);
        }
    }
    for (int i = 0; i < 6; i++) {
        for (int j = 0; j < 16; j++) c[i * ldc + j] = add_to_c ? c[i * ldc + j] + acc[i][j] : acc[i][j];
    }
}

static void gemm_rows_portable(long kc, const float *a, long lda, const float *b, float *c, long ldc) {
    float acc[6][16] = {{0}};
    for (long p = 0; p < kc; p++) {
        const float *bp = b + p * 16;
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 16; j++) acc[i][j] = fmaf(a[i * lda + p], bp[j], acc[i][j]);
        }
    }
    for (int i = 0; i < 6; i++) memcpy(c + i * ldc, acc[i], sizeof acc[i]);
}

static void conv_portable(long k0, long kc, long cin, const float *rows, const long *offsets, const float *b,
                          float *tile) {
    float acc[6][16] = {{0}};
    for (long kk = k0; kk < k0 + kc; kk++) {
        long tap = kk / cin, ci = kk - tap * cin;
        const float *bp = b + (kk - k0) * 16, *a = rows + offsets[tap] * cin + ci;
        for (int i = 0; i < 6; i++) {
            float x = a[i * cin];
            for (int j = 0; j < 16; j++) acc[i][j] = fmaf(x, bp[j], acc[i][j]);
        }
    }
    memcpy(tile, acc, sizeof acc);
}

static void fma_lanes4_portable(float *acc, const float *row0, const float *row1, const float *row2,
                                const float *row3, const float *x, long blocks) {
    aec_fma_lanes_portable(acc, row0, x, blocks);
    aec_fma_lanes_portable(acc + 8, row1, x, blocks);
    aec_fma_lanes_portable(acc + 16, row2, x, blocks);
    aec_fma_lanes_portable(acc + 24, row3, x, blocks);
}

// MARK: - AVX2 + FMA: the 6×16 tile in twelve 8-float registers, two B vectors, one broadcast A value.

#if defined(__x86_64__)
#define AVX2 AEC_AVX2

/// One step p of the 6×16 tile held in c00…c51 (row i in ci0, ci1): row i += A(i, p) · b[0..<16], where the
/// six A values are read at x0…x5 and the sixteen B values at bp.
#define TILE_STEP_AVX2(x0, x1, x2, x3, x4, x5, bp) do { \
    __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps((bp) + 8); \
    __m256 x = _mm256_broadcast_ss(x0); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01); \
    x = _mm256_broadcast_ss(x1); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11); \
    x = _mm256_broadcast_ss(x2); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21); \
    x = _mm256_broadcast_ss(x3); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31); \
    x = _mm256_broadcast_ss(x4); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41); \
    x = _mm256_broadcast_ss(x5); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51); \
} while (0)

AVX2 static void gemm_avx2(long kc, const float *a, long lda, const float *b, float *c, long ldc, int add_to_c) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (long p = 0; p < kc; p++) {
        const float *ap = a + p * lda;
        TILE_STEP_AVX2(ap, ap + 1, ap + 2, ap + 3, ap + 4, ap + 5, b + p * 16);
    }
    __m256 lo[6] = {c00, c10, c20, c30, c40, c50}, hi[6] = {c01, c11, c21, c31, c41, c51};
    for (int i = 0; i < 6; i++) {
        float *row = c + i * ldc;
        if (add_to_c) {
            lo[i] = _mm256_add_ps(_mm256_loadu_ps(row), lo[i]);
            hi[i] = _mm256_add_ps(_mm256_loadu_ps(row + 8), hi[i]);
        }
        _mm256_storeu_ps(row, lo[i]);
        _mm256_storeu_ps(row + 8, hi[i]);
    }
}

AVX2 static void gemm_rows_avx2(long kc, const float *a, long lda, const float *b, float *c, long ldc) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    const float *a0 = a, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda, *a4 = a3 + lda, *a5 = a4 + lda;
    for (long p = 0; p < kc; p++) TILE_STEP_AVX2(a0 + p, a1 + p, a2 + p, a3 + p, a4 + p, a5 + p, b + p * 16);
    _mm256_storeu_ps(c, c00); _mm256_storeu_ps(c + 8, c01);
    _mm256_storeu_ps(c + ldc, c10); _mm256_storeu_ps(c + ldc + 8, c11);
    _mm256_storeu_ps(c + 2 * ldc, c20); _mm256_storeu_ps(c + 2 * ldc + 8, c21);
    _mm256_storeu_ps(c + 3 * ldc, c30); _mm256_storeu_ps(c + 3 * ldc + 8, c31);
    _mm256_storeu_ps(c + 4 * ldc, c40); _mm256_storeu_ps(c + 4 * ldc + 8, c41);
    _mm256_storeu_ps(c + 5 * ldc, c50); _mm256_storeu_ps(c + 5 * ldc + 8, c51);
}

AVX2 static void conv_avx2(long k0, long kc, long cin, const float *rows, const long *offsets, const float *b,
                           float *tile) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    const float *bp = b;
    long kk = k0, end = k0 + kc;
    while (kk < end) {
        // The run of k inside one tap: channels ci0..<ci1 of tap t.
        long t = kk / cin, ci0 = kk - t * cin, ci1 = cin < ci0 + end - kk ? cin : ci0 + end - kk;
        const float *a0 = rows + offsets[t] * cin, *a1 = a0 + cin, *a2 = a1 + cin;
        const float *a3 = a2 + cin, *a4 = a3 + cin, *a5 = a4 + cin;
        for (long ci = ci0; ci < ci1; ci++) {
            TILE_STEP_AVX2(a0 + ci, a1 + ci, a2 + ci, a3 + ci, a4 + ci, a5 + ci, bp);
            bp += 16;
        }
        kk += ci1 - ci0;
    }
    _mm256_storeu_ps(tile + 0, c00); _mm256_storeu_ps(tile + 8, c01);
    _mm256_storeu_ps(tile + 16, c10); _mm256_storeu_ps(tile + 24, c11);
    _mm256_storeu_ps(tile + 32, c20); _mm256_storeu_ps(tile + 40, c21);
    _mm256_storeu_ps(tile + 48, c30); _mm256_storeu_ps(tile + 56, c31);
    _mm256_storeu_ps(tile + 64, c40); _mm256_storeu_ps(tile + 72, c41);
    _mm256_storeu_ps(tile + 80, c50); _mm256_storeu_ps(tile + 88, c51);
}
AVX2 static void fma_lanes4_avx2(float *acc, const float *row0, const float *row1, const float *row2,
                                 const float *row3, const float *x, long blocks) {
    __m256 s0 = _mm256_loadu_ps(acc), s1 = _mm256_loadu_ps(acc + 8);
    __m256 s2 = _mm256_loadu_ps(acc + 16), s3 = _mm256_loadu_ps(acc + 24);
    for (long i = 0; i < blocks; i++) {
        __m256 xv = _mm256_loadu_ps(x + i * 8);
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(row0 + i * 8), xv, s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(row1 + i * 8), xv, s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(row2 + i * 8), xv, s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(row3 + i * 8), xv, s3);
    }
    _mm256_storeu_ps(acc, s0); _mm256_storeu_ps(acc + 8, s1);
    _mm256_storeu_ps(acc + 16, s2); _mm256_storeu_ps(acc + 24, s3);
}

#endif

// MARK: - The choice

int aec_kernels_best(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512vnni")) {
            return AEC_KERNELS_AVX512;
        }
        return AEC_KERNELS_AVX2;
    }
#endif
    return AEC_KERNELS_PORTABLE;
}

static int current = -1;  // set once, before main (see choose_at_start), or by aec_kernels_use

__attribute__((constructor)) static void choose_at_start(void) {
    const char *asked = getenv("AEC_KERNELS");
    current = aec_kernels_best();
    if (asked != NULL && strcmp(asked, "portable") == 0) current = AEC_KERNELS_PORTABLE;
    if (asked != NULL && strcmp(asked, "avx2") == 0 && current > AEC_KERNELS_AVX2) current = AEC_KERNELS_AVX2;
}

int aec_kernels_current(void) { return current; }

int aec_kernels_use(int set) {
    int best = aec_kernels_best();
    current = set <= AEC_KERNELS_PORTABLE ? AEC_KERNELS_PORTABLE : set < best ? set : best;
    return current;
}

void aec_gemm_kernel_6x16(long kc, const float *a, const float *b, float *c, long ldc, int add_to_c) {
    AEC_CHOOSE(gemm, kc, a, 6, b, c, ldc, add_to_c);
}

void aec_gemm_kernel_6x16_columns(long kc, const float *a, long lda, const float *b, float *c, long ldc, int add_to_c) {
    AEC_CHOOSE(gemm, kc, a, lda, b, c, ldc, add_to_c);
}

void aec_gemm_kernel_6x16_rows(long kc, const float *a, long lda, const float *b, float *c, long ldc) {
    AEC_CHOOSE(gemm_rows, kc, a, lda, b, c, ldc);
}

void aec_conv_kernel_6x16(long k0, long kc, long cin, const float *rows, const long *offsets, const float *b,
                          float *tile) {
    AEC_CHOOSE(conv, k0, kc, cin, rows, offsets, b, tile);
}

void aec_axpy_lanes(float a, const float *x, float *y, long blocks) {
    AEC_CHOOSE(aec_axpy_lanes, a, x, y, blocks);
}

void aec_fma_lanes4(float *acc, const float *row0, const float *row1, const float *row2, const float *row3,
                    const float *x, long blocks) {
    AEC_CHOOSE(fma_lanes4, acc, row0, row1, row2, row3, x, blocks);
}
