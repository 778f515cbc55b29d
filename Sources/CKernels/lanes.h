// The 8-lane building blocks of the kernels, for kernels.c and single_channel.c: each as a portable
// function (C's fmaf, which rounds once, as the FMA instruction does) and an AVX2 + FMA one, with the same
// results. Static inline: each file inlines them into its own entry points.
#ifndef AEC_LANES_H
#define AEC_LANES_H

#include "aec_kernels.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>
/// Compiles a function for AVX2 + FMA, whatever the rest of the build targets.
#define AEC_AVX2 __attribute__((target("avx2,fma")))
/// Calls name_avx2(…) when the AVX2 set or a larger one is in use (aec_kernels_current), else
/// name_portable(…).
#define AEC_CHOOSE(name, ...) \
    (aec_kernels_current() >= AEC_KERNELS_AVX2 ? name##_avx2(__VA_ARGS__) : name##_portable(__VA_ARGS__))
#else
#define AEC_CHOOSE(name, ...) name##_portable(__VA_ARGS__)
#endif

/// acc[l] = fma(a[8i + l], b[8i + l], acc[l]) for i < blocks, in i order.
static inline void aec_fma_lanes_portable(float *acc, const float *a, const float *b, long blocks) {
    for (long i = 0; i < blocks; i++) {
        for (int l = 0; l < 8; l++) acc[l] = fmaf(a[i * 8 + l], b[i * 8 + l], acc[l]);
    }
}

/// y[j] = fma(a, x[j], y[j]) for j < 8·blocks.
static inline void aec_axpy_lanes_portable(float a, const float *x, float *y, long blocks) {
    for (long j = 0; j < blocks * 8; j++) y[j] = fmaf(a, x[j], y[j]);
}

/// The lanes summed in lane order, as Swift's SIMD8<Float>.sum(): ((a0 + a1) + a2) + … + a7.
static inline float aec_lane_sum(const float *acc) {
    float sum = acc[0];
    for (int l = 1; l < 8; l++) sum = sum + acc[l];
    return sum;
}

#if defined(__x86_64__)
AEC_AVX2 static inline void aec_fma_lanes_avx2(float *acc, const float *a, const float *b, long blocks) {
    __m256 sum = _mm256_loadu_ps(acc);
    for (long i = 0; i < blocks; i++) sum = _mm256_fmadd_ps(_mm256_loadu_ps(a + i * 8), _mm256_loadu_ps(b + i * 8), sum);
    _mm256_storeu_ps(acc, sum);
}

AEC_AVX2 static inline void aec_axpy_lanes_avx2(float a, const float *x, float *y, long blocks) {
    __m256 av = _mm256_set1_ps(a);
    for (long i = 0; i < blocks; i++) {
        _mm256_storeu_ps(y + i * 8, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i * 8), _mm256_loadu_ps(y + i * 8)));
    }
}
#endif

#endif
