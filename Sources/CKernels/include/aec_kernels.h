// aec_kernels.h — the engine's innermost loops, chosen at run time from what the CPU supports.
//
// Swift cannot compile one function for AVX2 and another for baseline x86-64 in the same module, so the
// loops with fused multiply-adds — the two register-tiled kernels that do nearly all of the network's
// arithmetic, and the 8-lane chains of the smaller loops — live here, twice: once with
// AVX2 + FMA (any x86-64 CPU since 2013) and once portable. Both compute every output as the same chain of
// fused multiply-adds in the same order (the portable one with C's fmaf, which rounds once, exactly as the
// FMA instruction does), so they give bit-identical results; the portable one is only slower.
#ifndef AEC_KERNELS_H
#define AEC_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The kernel sets, each running on fewer CPUs than the one before: portable C (any CPU); AVX2 + FMA
/// (x86-64 since 2013); AVX-512 — the AVX2 set, plus AVX-512 VNNI (with VL) for the integer decoder.
#define AEC_KERNELS_PORTABLE 0
#define AEC_KERNELS_AVX2 1
#define AEC_KERNELS_AVX512 2

/// The best set this CPU runs (CPUID, through the compiler's __builtin_cpu_supports).
int aec_kernels_best(void);

/// The set in use: the best one, unless the environment variable AEC_KERNELS (portable or avx2) asked for
/// a lesser one when the process started, or aec_kernels_use changed it.
int aec_kernels_current(void);

/// Uses `set` from now on if this CPU runs it (else the best one it runs); returns the set in use. Every set
/// gives the same results.
/// For tests and benchmarks that compare the sets in one process; not meant to be called while kernels run.
int aec_kernels_use(int set);

/// The GEMM register tile: c[0..<6][0..<16] (+)= Σ_p a[p·6 + i] · b[p·16 + j] over p < kc, with packed
/// panels a (6 floats per step) and b (16 floats per step); row i of c starts at c + i·ldc. Each output is
/// one chain of fused multiply-adds from 0 in p order, then added to c when add_to_c is non-zero.
void aec_gemm_kernel_6x16(long kc, const float *a, const float *b, float *c, long ldc, int add_to_c);

/// The same register tile with A read in place, row i starting at a + i·lda (no packing), written over c:
/// c[i·ldc + j] = Σ_p a[i·lda + p] · b[p·16 + j] over p < kc, one chain of fused multiply-adds from 0 in p
/// order per output (the Winograd convolution's products, whose A the input transform writes row-major).
void aec_gemm_kernel_6x16_rows(long kc, const float *a, long lda, const float *b, float *c, long ldc);

/// aec_gemm_kernel_6x16 with step p of A's six values at a + p·lda instead of a + 6p: A's transpose read in
/// place, c[i·ldc + j] (+)= Σ_p a[p·lda + i] · b[p·16 + j] (the Winograd weight gradient's products).
void aec_gemm_kernel_6x16_columns(long kc, const float *a, long lda, const float *b, float *c, long ldc, int add_to_c);

/// The implicit-convolution tile: tile[i·16 + j] = Σ_{k0 ≤ kk < k0 + kc} A(i, kk) · b[(kk − k0)·16 + j],
/// where A(i, tap·cin + ci) = rows[(i + offsets[tap])·cin + ci] reads a zero-padded image; one chain of
/// fused multiply-adds from 0 in kk order per output.
void aec_conv_kernel_6x16(long k0, long kc, long cin, const float *rows, const long *offsets, const float *b,
                          float *tile);

/// Eight fused multiply-add chains side by side for each of four rows against one vector x, sharing its
/// loads: acc[8r + l] = fma(row_r[8i + l], x[8i + l], acc[8r + l]) for i < blocks, in i order (the lanes of
/// four dot products, before they are summed).
void aec_fma_lanes4(float *acc, const float *row0, const float *row1, const float *row2, const float *row3,
                    const float *x, long blocks);

/// y[j] = fma(a, x[j], y[j]) for j < 8·blocks.
void aec_axpy_lanes(float a, const float *x, float *y, long blocks);

/// The 3×3 convolution with one input channel (SingleInputConv in Conv2D.swift): forward
/// out[p, co] = bias[co] + Σ_tap in[p + tap] · weight[tap, co], and backward (∂weight and ∂bias added,
/// ∂input written when d_input is not NULL). Images [n, h, w, channels], weight [9, cout].
void aec_single_input_forward(float *out, const float *input, const float *weight, const float *bias,
                              long n, long h, long w, long cout);
void aec_single_input_backward(float *d_input, float *d_weight, float *d_bias, const float *d_out,
                               const float *input, const float *weight, long n, long h, long w, long cout);

/// The 3×3 convolution with one output channel (SingleOutputConv in Conv2D.swift): forward
/// out[p] = bias + Σ_tap Σ_ci in[p + tap, ci] · weight[tap, ci], and backward as above. Weight [9, cin].
void aec_single_output_forward(float *out, const float *input, const float *weight, float bias,
                               long n, long h, long w, long cin);
void aec_single_output_backward(float *d_input, float *d_weight, float *d_bias, const float *d_out,
                                const float *input, const float *weight, long n, long h, long w, long cin);

// MARK: - The Winograd convolutions' data transforms (winograd.c; WinogradConv.swift).

/// `tile` is the side of the output block: 2 for F(2×2, 3×3) (4×4 input patches, α = 4), 4 for F(4×4, 3×3)
/// (6×6 patches, α = 6). Images [n, h, w, c] with c a multiple of 8; tiles are numbered over the batch
/// (image, tile row, tile column), ⌈h/tile⌉ × ⌈w/tile⌉ per image; the transformed arrays hold α² planes,
/// `step` floats apart, for the tiles first … first + count − 1. The operations run in the same order in
/// every set: every set gives the same bits.

/// v[ξ][k·ldv …] = Bᵀ·d·B of tile first + k's α×α input patch (one pixel of zero padding around the image):
/// rows of c values, ldv ≥ c floats apart.
void aec_winograd_input(long tile, const float *input, long h, long w, long c, long ldv, long first, long count,
                        long step, float *v);
/// The pixels of tile first + k inside the image: Aᵀ·m[·][k]·A + bias, and then max(·, 0) when relu is
/// non-zero, written over `out` [n, h, w, c]; here the planes of m are [count, ldm] (ldm ≥ c: the GEMM
/// kernel writes whole 16-column panels).
void aec_winograd_output(long tile, const float *m, long ldm, long h, long w, long c, long first, long count,
                         long step, const float *bias, int relu, float *out);
/// z[ξ] = A·dY·Aᵀ, dY tile first + k's tile×tile block of d_out [n, h, w, c] (zeros outside the image), in
/// the GEMM's panels of 16 channels: channel co of tile k at z[ξ][(co / 16)·16·count + k·16 + co mod 16]
/// (the lanes past c of a last half panel are not written).
void aec_winograd_output_gradient(long tile, const float *d_out, long h, long w, long c, long first, long count,
                                  long step, float *z);

/// The weight transform: U[ξ] = G·g·Gᵀ of every kernel g of weight [3, 3, cin, cout] (cout a multiple of 8),
/// packed for aec_gemm_kernel_6x16_rows as B: u [α², ⌈cout/16⌉, cin, 16], the lanes past cout zero.
void aec_winograd_weights(long tile, const float *weight, long cin, long cout, float *u);
/// The weight gradient's transform: d_weight [3, 3, cin, cout] += Gᵀ·dU·G, dU given as α² planes `du_step`
/// floats apart, each [cin rows ldu floats apart, cout] (cout a multiple of 8).
void aec_winograd_weight_gradient(long tile, const float *du, long du_step, long ldu, long cin, long cout,
                                  float *d_weight);

// MARK: - The integer decoder (fixed_point.c): exact integer sums, the same on every CPU with either set.

/// The 3×3 convolution in integers, ReLU'd: out[y, x, co] = clamp((Σ_tap Σ_ci in(y, x, tap, ci) · weight(tap,
/// ci, co) + bias[co] + half) >> shift[co], 0, 32767), half = 2^(shift − 1) (0 when shift is 0), sums modulo
/// 2^32. `padded` is the input image with a one-pixel zero border, [(h + 2)·(w + 2) + 6, c2] (six spare zero
/// pixels at the end), c2 even; `packed` holds the weights as [⌈cout/16⌉, 9, c2/2, 16, 2] (each output
/// channel's two weights for input channels 2p and 2p + 1 side by side; channels past cout zero); bias and
/// shift have ⌈cout/16⌉·16 entries. out is [h, w, cout].
void aec_int_conv3x3(const int16_t *padded, long h, long w, long c2, const int16_t *packed, const int32_t *bias,
                     const int32_t *shift, long cout, int16_t *out);

/// aec_int_conv3x3 without the ReLU: outputs clamped to −32767…32767 (the integer encoder's code layer,
/// before its sigmoid).
void aec_int_conv3x3_linear(const int16_t *padded, long h, long w, long c2, const int16_t *packed, const int32_t *bias,
                            const int32_t *shift, long cout, int16_t *out);

/// A 3×3 convolution (ReLU'd, as aec_int_conv3x3) of the ×2 nearest upsampling of `padded`'s h × w image,
/// one output phase at a time: the pixels (2y + dy, 2x + dx) of out [2h, 2w, cout], for dy, dx in {0, 1}.
/// Each reads only a 2 × 2 window of the input (rows y + dy − 1 and y + dy, the same for columns), so
/// `packed` holds, as [⌈cout/16⌉, 4, c2/2, 16, 2], the 3×3 weights summed over the taps that land on the
/// same input pixel — 2.25 times fewer multiplies than convolving the upsampled image, and the same sums.
void aec_int_conv_up_phase(const int16_t *padded, long h, long w, long c2, long dy, long dx, const int16_t *packed,
                           const int32_t *bias, const int32_t *shift, long cout, int16_t *out);

/// The 3×3 convolution with one output channel, raw sums: out[y, x] = bias + Σ_tap Σ_ci in(y, x, tap, ci) ·
/// weight[tap·c2 + ci], modulo 2^32. `padded` as above; weight [9, c2].
void aec_int_conv3x3_single(const int16_t *padded, long h, long w, long c2, const int16_t *weight, int32_t bias,
                            int32_t *out);

#ifdef __cplusplus
}
#endif

#endif
