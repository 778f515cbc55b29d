// The 3×3 convolutions with one input or one output channel (see SingleInputConv and SingleOutputConv in
// Conv2D.swift): direct loops over pixels and taps, vectorised over the channels, written once here and
// compiled twice — with AVX2 + FMA and portable — by inlining them into the two sets' entry points.
//
// Every output is the same chain of operations in both sets: fused multiply-adds on 8-lane blocks (lane by
// lane, in tap order), plain multiply-then-add on the channels past the last whole block, and lanes summed
// in lane order (0 + 1, then + 2, …), as Swift's SIMD8.sum() does.
#pragma STDC FP_CONTRACT OFF

#include "aec_kernels.h"
#include "lanes.h"

#include <string.h>

#define INLINE static inline __attribute__((always_inline))

/// Runs the statements after (y, x, h, w) with tap, yy and xx set to each tap of the 3×3 window around
/// (y, x) inside the h × w image, in order (ky, then kx).
#define FOR_EACH_TAP(y, x, h, w, ...)                                        \
    for (long ky = 0; ky < 3; ky++) {                                        \
        long yy = (y) + ky - 1;                                              \
        if (yy < 0 || yy >= (h)) continue;                                   \
        for (long kx = 0; kx < 3; kx++) {                                    \
            long xx = (x) + kx - 1;                                          \
            if (xx < 0 || xx >= (w)) continue;                               \
            long tap = ky * 3 + kx;                                          \
            __VA_ARGS__                                                      \
        }                                                                    \
    }

typedef void (*fma_lanes_fn)(float *acc, const float *a, const float *b, long blocks);
typedef void (*axpy_lanes_fn)(float a, const float *x, float *y, long blocks);

/// y[i] += a·x[i]: fused on whole blocks of 8, multiply-then-add on the rest.
INLINE void axpy(axpy_lanes_fn lanes, float a, const float *x, float *y, long count) {
    lanes(a, x, y, count / 8);
    for (long i = count / 8 * 8; i < count; i++) {
        float product = a * x[i];
        y[i] = y[i] + product;
    }
}

/// Σ a[i]·b[i]: the 8 lanes' fused chains summed in lane order, plus the rest multiplied then added.
INLINE float dot(fma_lanes_fn lanes, const float *a, const float *b, long count) {
    float acc[8] = {0}, tail = 0;
    lanes(acc, a, b, count / 8);
    for (long i = count / 8 * 8; i < count; i++) {
        float product = a[i] * b[i];
        tail = tail + product;
    }
    return aec_lane_sum(acc) + tail;
}

INLINE void single_input_forward(axpy_lanes_fn axpy_lanes, float *out, const float *input, const float *weight,
                                 const float *bias, long n, long h, long w, long cout) {
    for (long b = 0; b < n; b++) for (long y = 0; y < h; y++) for (long x = 0; x < w; x++) {
        float *dst = out + ((b * h + y) * w + x) * cout;
        memcpy(dst, bias, sizeof(float) * cout);
        FOR_EACH_TAP(y, x, h, w, { axpy(axpy_lanes, input[(b * h + yy) * w + xx], weight + tap * cout, dst, cout); })
    }
}

INLINE void single_input_backward(fma_lanes_fn fma_lanes, axpy_lanes_fn axpy_lanes, float *d_input, float *d_weight,
                                  float *d_bias, const float *d_out, const float *input, const float *weight,
                                  long n, long h, long w, long cout) {
    if (d_input) memset(d_input, 0, sizeof(float) * n * h * w);
    for (long b = 0; b < n; b++) for (long y = 0; y < h; y++) for (long x = 0; x < w; x++) {
        const float *g = d_out + ((b * h + y) * w + x) * cout;
        for (long co = 0; co < cout; co++) d_bias[co] = d_bias[co] + g[co];
        FOR_EACH_TAP(y, x, h, w, {
            long at = (b * h + yy) * w + xx;
            axpy(axpy_lanes, input[at], g, d_weight + tap * cout, cout);
            if (d_input) d_input[at] = d_input[at] + dot(fma_lanes, weight + tap * cout, g, cout);
        })
    }
}

INLINE void single_output_forward(fma_lanes_fn fma_lanes, float *out, const float *input, const float *weight,
                                  float bias, long n, long h, long w, long cin) {
    for (long b = 0; b < n; b++) for (long y = 0; y < h; y++) for (long x = 0; x < w; x++) {
        float acc[8] = {0}, sum = bias;
        FOR_EACH_TAP(y, x, h, w, {
            const float *src = input + ((b * h + yy) * w + xx) * cin, *wt = weight + tap * cin;
            fma_lanes(acc, src, wt, cin / 8);
            for (long ci = cin / 8 * 8; ci < cin; ci++) {
                float product = src[ci] * wt[ci];
                sum = sum + product;
            }
        })
        out[(b * h + y) * w + x] = sum + aec_lane_sum(acc);
    }
}

INLINE void single_output_backward(axpy_lanes_fn axpy_lanes, float *d_input, float *d_weight, float *d_bias,
                                   const float *d_out, const float *input, const float *weight,
                                   long n, long h, long w, long cin) {
    if (d_input) memset(d_input, 0, sizeof(float) * n * h * w * cin);
    float bias_sum = 0;
    for (long b = 0; b < n; b++) for (long y = 0; y < h; y++) for (long x = 0; x < w; x++) {
        float g = d_out[(b * h + y) * w + x];
        bias_sum = bias_sum + g;
        if (g == 0) continue;
        FOR_EACH_TAP(y, x, h, w, {
            long at = ((b * h + yy) * w + xx) * cin;
            axpy(axpy_lanes, g, input + at, d_weight + tap * cin, cin);
            if (d_input) axpy(axpy_lanes, g, weight + tap * cin, d_input + at, cin);
        })
    }
    d_bias[0] = d_bias[0] + bias_sum;
}

// MARK: - The two sets

static void single_input_forward_portable(float *out, const float *input, const float *weight, const float *bias,
                                          long n, long h, long w, long cout) {
    single_input_forward(aec_axpy_lanes_portable, out, input, weight, bias, n, h, w, cout);
}
static void single_input_backward_portable(float *d_input, float *d_weight, float *d_bias, const float *d_out,
                                           const float *input, const float *weight, long n, long h, long w, long cout) {
    single_input_backward(aec_fma_lanes_portable, aec_axpy_lanes_portable, d_input, d_weight, d_bias, d_out, input,
                          weight, n, h, w, cout);
}
static void single_output_forward_portable(float *out, const float *input, const float *weight, float bias,
                                           long n, long h, long w, long cin) {
    single_output_forward(aec_fma_lanes_portable, out, input, weight, bias, n, h, w, cin);
}
static void single_output_backward_portable(float *d_input, float *d_weight, float *d_bias, const float *d_out,
                                            const float *input, const float *weight, long n, long h, long w, long cin) {
    single_output_backward(aec_axpy_lanes_portable, d_input, d_weight, d_bias, d_out, input, weight, n, h, w, cin);
}

#if defined(__x86_64__)
AEC_AVX2 static void single_input_forward_avx2(float *out, const float *input, const float *weight, const float *bias,
                                               long n, long h, long w, long cout) {
    single_input_forward(aec_axpy_lanes_avx2, out, input, weight, bias, n, h, w, cout);
}
AEC_AVX2 static void single_input_backward_avx2(float *d_input, float *d_weight, float *d_bias, const float *d_out,
                                                const float *input, const float *weight, long n, long h, long w, long cout) {
    single_input_backward(aec_fma_lanes_avx2, aec_axpy_lanes_avx2, d_input, d_weight, d_bias, d_out, input, weight,
                          n, h, w, cout);
}
AEC_AVX2 static void single_output_forward_avx2(float *out, const float *input, const float *weight, float bias,
                                                long n, long h, long w, long cin) {
    single_output_forward(aec_fma_lanes_avx2, out, input, weight, bias, n, h, w, cin);
}
AEC_AVX2 static void single_output_backward_avx2(float *d_input, float *d_weight, float *d_bias, const float *d_out,
                                                 const float *input, const float *weight, long n, long h, long w, long cin) {
    single_output_backward(aec_axpy_lanes_avx2, d_input, d_weight, d_bias, d_out, input, weight, n, h, w, cin);
}
#endif

void aec_single_input_forward(float *out, const float *input, const float *weight, const float *bias,
                              long n, long h, long w, long cout) {
    AEC_CHOOSE(single_input_forward, out, input, weight, bias, n, h, w, cout);
}

void aec_single_input_backward(float *d_input, float *d_weight, float *d_bias, const float *d_out,
                               const float *input, const float *weight, long n, long h, long w, long cout) {
    AEC_CHOOSE(single_input_backward, d_input, d_weight, d_bias, d_out, input, weight, n, h, w, cout);
}

void aec_single_output_forward(float *out, const float *input, const float *weight, float bias,
                               long n, long h, long w, long cin) {
    AEC_CHOOSE(single_output_forward, out, input, weight, bias, n, h, w, cin);
}

void aec_single_output_backward(float *d_input, float *d_weight, float *d_bias, const float *d_out,
                                const float *input, const float *weight, long n, long h, long w, long cin) {
    AEC_CHOOSE(single_output_backward, d_input, d_weight, d_bias, d_out, input, weight, n, h, w, cin);
}
