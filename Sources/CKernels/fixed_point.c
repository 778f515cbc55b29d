// The integer network's 3×3 convolutions (FixedPointDecoder.swift, FixedPointEncoder.swift; declarations in
// aec_kernels.h): int16 activations and weights, sums in 32-bit integers. Integer sums are exact and do not
// depend on their order, so the portable loops and the vector ones (int_conv_vector.h: AVX2's vpmaddwd, two
// int16 products added into one int32 lane, or AVX-512 VNNI's vpdpwssd) give the same result on every CPU,
// whatever the compiler does with them.
//
// Sums wrap modulo 2^32 (unsigned arithmetic in the portable loops, the instructions' own wrapping in the
// AVX2 ones), so even a sum that overflows — which the decoder's scales keep real codes far from — is the
// same everywhere, and never undefined behaviour. A pair of products never overflows: a conv's inputs are in
// 0…32767 and its weights in −32767…32767, so two products stay below 2^31. (The right shifts of negative
// sums are arithmetic, as every compiler this builds with does them.)

#include "aec_kernels.h"
#include "lanes.h"

#include <stdint.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))

/// Padded-grid offset of tap t (ky·3 + kx) for a grid `pw` pixels wide.
INLINE long tap_offset(long t, long pw) { return (t / 3 - 1) * pw + (t % 3 - 1); }

/// Where a convolution's outputs go: pixel (y, x) of its h × w grid to out[(y·step + dy)·(w·step) + x·step + dx]
/// (channels innermost): step 1 for a plain convolution, 2 for one phase (dy, dx) of a convolution after a
/// ×2 upsampling. Outputs are clamped to lower…32767: lower 0 is the ReLU, −32767 none.
struct placement { long step, dy, dx, lower; };

/// Writes the 6 × 16 block of sums `acc` (output pixels q0 … q0 + 5 in padded-grid numbering, output
/// channels 16j … 16j + 15) to `out` (placed by `at`): (sum + bias + half) >> shift, clamped to
/// at.lower…32767. Pixels in the grid's border columns or past the last one, and channels past cout, are dropped.
INLINE void store_block(const uint32_t acc[6][16], long q0, long last, long pw, long w, long j, long cout,
                        const int32_t *bias, const int32_t *shift, struct placement at, int16_t *out) {
    for (long i = 0; i < 6; i++) {
        long q = q0 + i, x = q % pw - 1, y = q / pw - 1;
        if (q > last || x < 0 || x >= w) continue;
        int16_t *dst = out + ((y * at.step + at.dy) * w * at.step + x * at.step + at.dx) * cout;
        for (long jj = 0; jj < 16 && j * 16 + jj < cout; jj++) {
            long co = j * 16 + jj;
            int32_t s = shift[co];
            uint32_t half = s > 0 ? (uint32_t)1 << (s - 1) : 0;
            int32_t v = (int32_t)(acc[i][jj] + (uint32_t)bias[co] + half) >> s;
            dst[co] = (int16_t)(v < at.lower ? at.lower : v > 32767 ? 32767 : v);
        }
    }
}

// MARK: - Portable

static void int_conv_portable(const int16_t *padded, long h, long w, long c2, long taps, const long *offsets,
                              const int16_t *packed, const int32_t *bias, const int32_t *shift, long cout,
                              struct placement at, int16_t *out) {
    long pw = w + 2, first = pw + 1, last = h * pw + w, pairs = c2 / 2;
    // One 16-channel block of weights at a time (taps · c2 · 16 int16, ≤ 18 KB: stays in L1) against every
    // block of six pixels.
    for (long j = 0; j < (cout + 15) / 16; j++) {
        for (long q0 = first; q0 <= last; q0 += 6) {
            uint32_t acc[6][16] = {{0}};
            for (long t = 0; t < taps; t++) {
                const int16_t *a = padded + (q0 + offsets[t]) * c2;
                const int16_t *b = packed + (j * taps + t) * pairs * 32;
                for (long p = 0; p < pairs; p++) {
                    for (long i = 0; i < 6; i++) {
                        int32_t a0 = a[i * c2 + 2 * p], a1 = a[i * c2 + 2 * p + 1];
                        for (long jj = 0; jj < 16; jj++) {
                            acc[i][jj] += (uint32_t)(a0 * b[p * 32 + 2 * jj] + a1 * b[p * 32 + 2 * jj + 1]);
                        }
                    }
                }
            }
            store_block((const uint32_t (*)[16])acc, q0, last, pw, w, j, cout, bias, shift, at, out);
        }
    }
}

static void int_conv_single_portable(const int16_t *padded, long h, long w, long c2, const int16_t *weight,
                                     int32_t bias, int32_t *out) {
    long pw = w + 2;
    for (long y = 0; y < h; y++) {
        for (long x = 0; x < w; x++) {
            long q = (y + 1) * pw + x + 1;
            uint32_t acc = (uint32_t)bias;
            for (long t = 0; t < 9; t++) {
                const int16_t *a = padded + (q + tap_offset(t, pw)) * c2, *b = weight + t * c2;
                for (long k = 0; k < c2; k++) acc += (uint32_t)(a[k] * b[k]);
            }
            out[y * w + x] = (int32_t)acc;
        }
    }
}

// MARK: - Vector sets: the 6 × 16 tile in twelve registers of eight int32 sums (int_conv_vector.h).

#if defined(__x86_64__)

/// The two int16 at `p` as one int32, for broadcasting (memcpy: the pointer is only 2-byte aligned).
INLINE int32_t pair_at(const int16_t *p) {
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#define INT_NAME(name) name##_avx2
#define INT_TARGET AEC_AVX2
#define INT_MADD(c, x, b) _mm256_add_epi32((c), _mm256_madd_epi16((x), (b)))
#include "int_conv_vector.h"
#undef INT_NAME
#undef INT_TARGET
#undef INT_MADD

// AVX-512 VNNI (with VL, for 256-bit registers): vpdpwssd adds the products into the sums in one instruction.
#define INT_NAME(name) name##_vnni
#define INT_TARGET __attribute__((target("avx2,fma,avx512f,avx512vl,avx512vnni")))
#define INT_MADD(c, x, b) _mm256_dpwssd_epi32((c), (x), (b))
#include "int_conv_vector.h"
#undef INT_NAME
#undef INT_TARGET
#undef INT_MADD

#endif

// MARK: - Entry points

/// Runs the convolution with the set in use.
static void int_conv(const int16_t *padded, long h, long w, long c2, long taps, const long *offsets,
                     const int16_t *packed, const int32_t *bias, const int32_t *shift, long cout, struct placement at,
                     int16_t *out) {
#if defined(__x86_64__)
    if (aec_kernels_current() == AEC_KERNELS_AVX512) {
        int_conv_vnni(padded, h, w, c2, taps, offsets, packed, bias, shift, cout, at, out);
        return;
    }
#endif
    AEC_CHOOSE(int_conv, padded, h, w, c2, taps, offsets, packed, bias, shift, cout, at, out);
}

void aec_int_conv3x3(const int16_t *padded, long h, long w, long c2, const int16_t *packed, const int32_t *bias,
                     const int32_t *shift, long cout, int16_t *out) {
    long offsets[9];
    for (long t = 0; t < 9; t++) offsets[t] = tap_offset(t, w + 2);
    int_conv(padded, h, w, c2, 9, offsets, packed, bias, shift, cout, (struct placement){1, 0, 0, 0}, out);
}

void aec_int_conv3x3_linear(const int16_t *padded, long h, long w, long c2, const int16_t *packed, const int32_t *bias,
                            const int32_t *shift, long cout, int16_t *out) {
    long offsets[9];
    for (long t = 0; t < 9; t++) offsets[t] = tap_offset(t, w + 2);
    int_conv(padded, h, w, c2, 9, offsets, packed, bias, shift, cout, (struct placement){1, 0, 0, -32767}, out);
}

void aec_int_conv_up_phase(const int16_t *padded, long h, long w, long c2, long dy, long dx, const int16_t *packed,
                           const int32_t *bias, const int32_t *shift, long cout, int16_t *out) {
    // Output row 2y + dy of the upsampled image reads input rows y + dy − 1 and y + dy (taps r = 0, 1);
    // the same for columns.
    long offsets[4];
    for (long t = 0; t < 4; t++) offsets[t] = (dy - 1 + t / 2) * (w + 2) + (dx - 1 + t % 2);
    int_conv(padded, h, w, c2, 4, offsets, packed, bias, shift, cout, (struct placement){2, dy, dx, 0}, out);
}

void aec_int_conv3x3_single(const int16_t *padded, long h, long w, long c2, const int16_t *weight, int32_t bias,
                            int32_t *out) {
#if defined(__x86_64__)
    if (aec_kernels_current() == AEC_KERNELS_AVX512) {
        int_conv_single_vnni(padded, h, w, c2, weight, bias, out);
        return;
    }
#endif
    AEC_CHOOSE(int_conv_single, padded, h, w, c2, weight, bias, out);
}
