// The data transforms of the Winograd F(2×2, 3×3) and F(4×4, 3×3) convolutions (declarations in aec_kernels.h; the algorithm
// in WinogradConv.swift): the template winograd_vector.h compiled for portable C and for AVX2.
#pragma STDC FP_CONTRACT OFF

#include "aec_kernels.h"
#include "lanes.h"

// MARK: - Portable: eight floats in a struct.

typedef struct { float l[8]; } lanes8;

static inline lanes8 l8_load(const float *p) { lanes8 v; for (int i = 0; i < 8; i++) v.l[i] = p[i]; return v; }
static inline void l8_store(float *p, lanes8 v) { for (int i = 0; i < 8; i++) p[i] = v.l[i]; }
static inline lanes8 l8_add(lanes8 a, lanes8 b) { for (int i = 0; i < 8; i++) a.l[i] = a.l[i] + b.l[i]; return a; }
static inline lanes8 l8_sub(lanes8 a, lanes8 b) { for (int i = 0; i < 8; i++) a.l[i] = a.l[i] - b.l[i]; return a; }
static inline lanes8 l8_mul(lanes8 a, lanes8 b) { for (int i = 0; i < 8; i++) a.l[i] = a.l[i] * b.l[i]; return a; }
static inline lanes8 l8_max(lanes8 a, lanes8 b) { for (int i = 0; i < 8; i++) a.l[i] = a.l[i] > b.l[i] ? a.l[i] : b.l[i]; return a; }
static inline lanes8 l8_zero(void) { lanes8 v = {{0}}; return v; }
static inline lanes8 l8_set1(float x) { lanes8 v; for (int i = 0; i < 8; i++) v.l[i] = x; return v; }

#define W_NAME(name) name##_portable
#define W_TARGET
#define W_VEC lanes8
#define W_LOAD(p) l8_load(p)
#define W_STORE(p, v) l8_store(p, v)
#define W_ADD(a, b) l8_add(a, b)
#define W_SUB(a, b) l8_sub(a, b)
#define W_MUL(a, b) l8_mul(a, b)
#define W_MAX(a, b) l8_max(a, b)
#define W_ZERO() l8_zero()
#define W_SET1(x) l8_set1(x)
#include "winograd_vector.h"
#undef W_NAME
#undef W_TARGET
#undef W_VEC
#undef W_LOAD
#undef W_STORE
#undef W_ADD
#undef W_SUB
#undef W_MUL
#undef W_MAX
#undef W_ZERO
#undef W_SET1

// MARK: - AVX2: one 8-float register.

#if defined(__x86_64__)
#define W_NAME(name) name##_avx2
#define W_TARGET AEC_AVX2
#define W_VEC __m256
#define W_LOAD(p) _mm256_loadu_ps(p)
#define W_STORE(p, v) _mm256_storeu_ps(p, v)
#define W_ADD(a, b) _mm256_add_ps(a, b)
#define W_SUB(a, b) _mm256_sub_ps(a, b)
#define W_MUL(a, b) _mm256_mul_ps(a, b)
#define W_MAX(a, b) _mm256_max_ps(a, b)
#define W_ZERO() _mm256_setzero_ps()
#define W_SET1(x) _mm256_set1_ps(x)
#include "winograd_vector.h"
#endif

// MARK: - Entry points: `tile` is the output block's side, 2 or 4.

/// G [α × 3] of F(2×2, 3×3) and of F(4×4, 3×3) (Lavin and Gray).
static const float g2[4 * 3] = {1, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f, -0.5f, 0.5f, 0, 0, 1};
static const float g4[6 * 3] = {1.0f / 4, 0, 0, -1.0f / 6, -1.0f / 6, -1.0f / 6, -1.0f / 6, 1.0f / 6, -1.0f / 6,
                                1.0f / 24, 1.0f / 12, 1.0f / 6, 1.0f / 24, -1.0f / 12, 1.0f / 6, 0, 0, 1};

void aec_winograd_weights(long tile, const float *weight, long cin, long cout, float *u) {
    AEC_CHOOSE(winograd_weights, tile + 2, tile == 4 ? g4 : g2, weight, cin, cout, u);
}

void aec_winograd_weight_gradient(long tile, const float *du, long du_step, long ldu, long cin, long cout,
                                  float *d_weight) {
    AEC_CHOOSE(winograd_weight_gradient, tile + 2, tile == 4 ? g4 : g2, du, du_step, ldu, cin, cout, d_weight);
}

void aec_winograd_input(long tile, const float *input, long h, long w, long c, long ldv, long first, long count,
                        long step, float *v) {
    if (tile == 4) AEC_CHOOSE(winograd4_input, input, h, w, c, ldv, first, count, step, v);
    else AEC_CHOOSE(winograd2_input, input, h, w, c, ldv, first, count, step, v);
}

void aec_winograd_output(long tile, const float *m, long ldm, long h, long w, long c, long first, long count,
                         long step, const float *bias, int relu, float *out) {
    if (tile == 4) AEC_CHOOSE(winograd4_output, m, ldm, h, w, c, first, count, step, bias, relu, out);
    else AEC_CHOOSE(winograd2_output, m, ldm, h, w, c, first, count, step, bias, relu, out);
}

void aec_winograd_output_gradient(long tile, const float *d_out, long h, long w, long c, long first, long count,
                                  long step, float *z) {
    if (tile == 4) AEC_CHOOSE(winograd4_output_gradient, d_out, h, w, c, first, count, step, z);
    else AEC_CHOOSE(winograd2_output_gradient, d_out, h, w, c, first, count, step, z);
}
