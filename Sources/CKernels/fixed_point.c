// The integer decoder's 3×3 convolutions (FixedPointDecoder.swift; declarations in aec_kernels.h): int16
// activations and weights, sums in 32-bit integers. Integer sums are exact and do not depend on their
// order, so the portable loops and the AVX2 ones (vpmaddwd: two int16 products added into one int32 lane)
// give the same result on every CPU, whatever the compiler does with them.
//
// Sums wrap modulo 2^32 (unsigned arithmetic in the portable loops, the instructions' own wrapping in the
// AVX2 ones), so even a sum that overflows — which the decoder's scales keep real codes far from — is the
// same everywhere, and never undefined behaviour. A single product never overflows: activations are in
// 0…32767 and weights in −32767…32767, so a pair of them stays below 2^31.

#include "aec_kernels.h"
#include "lanes.h"

#include <stdint.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))

/// Padded-grid offset of tap t (ky·3 + kx) for a grid `pw` pixels wide.
INLINE long tap_offset(long t, long pw) { return (t / 3 - 1) * pw + (t % 3 - 1); }

/// Writes the 6 × 16 block of sums `acc` (output pixels q0 … q0 + 5 in padded-grid numbering, output
/// channels 16j … 16j + 15) to `out` [h, w, cout]: (sum + bias + half) >> shift, then ReLU and the clamp to
/// 32767. Pixels in the grid's border columns or past the last one, and channels past cout, are dropped.
INLINE void store_block(const uint32_t acc[6][16], long q0, long last, long pw, long w, long j, long cout,
                        const int32_t *bias, const int32_t *shift, int16_t *out) {
    for (long i = 0; i < 6; i++) {
        long q = q0 + i, x = q % pw - 1, y = q / pw - 1;
        if (q > last || x < 0 || x >= w) continue;
        int16_t *dst = out + (y * w + x) * cout;
        for (long jj = 0; jj < 16 && j * 16 + jj < cout; jj++) {
            long co = j * 16 + jj;
            int32_t s = shift[co];
            uint32_t half = s > 0 ? (uint32_t)1 << (s - 1) : 0;
            int32_t v = (int32_t)(acc[i][jj] + (uint32_t)bias[co] + half) >> s;
            dst[co] = (int16_t)(v < 0 ? 0 : v > 32767 ? 32767 : v);
        }
    }
}

// MARK: - Portable

static void int_conv_portable(const int16_t *padded, long h, long w, long c2, const int16_t *packed,
                              const int32_t *bias, const int32_t *shift, long cout, int16_t *out) {
    long pw = w + 2, first = pw + 1, last = h * pw + w, pairs = c2 / 2;
    // One 16-channel block of weights at a time (9 · c2 · 16 int16, ≤ 18 KB: stays in L1) against every
    // block of six pixels.
    for (long j = 0; j < (cout + 15) / 16; j++) {
        for (long q0 = first; q0 <= last; q0 += 6) {
            uint32_t acc[6][16] = {{0}};
            for (long t = 0; t < 9; t++) {
                const int16_t *a = padded + (q0 + tap_offset(t, pw)) * c2;
                const int16_t *b = packed + (j * 9 + t) * pairs * 32;
                for (long p = 0; p < pairs; p++) {
                    for (long i = 0; i < 6; i++) {
                        int32_t a0 = a[i * c2 + 2 * p], a1 = a[i * c2 + 2 * p + 1];
                        for (long jj = 0; jj < 16; jj++) {
                            acc[i][jj] += (uint32_t)(a0 * b[p * 32 + 2 * jj] + a1 * b[p * 32 + 2 * jj + 1]);
                        }
                    }
                }
            }
            store_block((const uint32_t (*)[16])acc, q0, last, pw, w, j, cout, bias, shift, out);
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

// MARK: - AVX2: the 6 × 16 tile in twelve registers of eight int32 sums; one vpmaddwd adds two products.

#if defined(__x86_64__)
#define AVX2 AEC_AVX2

/// The two int16 at `p` as one int32, for broadcasting (memcpy: the pointer is only 2-byte aligned).
INLINE int32_t pair_at(const int16_t *p) {
    int32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

AVX2 static void int_conv_avx2(const int16_t *padded, long h, long w, long c2, const int16_t *packed,
                               const int32_t *bias, const int32_t *shift, long cout, int16_t *out) {
    long pw = w + 2, first = pw + 1, last = h * pw + w, pairs = c2 / 2;
    // One 16-channel block of weights at a time (9 · c2 · 16 int16, ≤ 18 KB: stays in L1) against every
    // block of six pixels.
    for (long j = 0; j < (cout + 15) / 16; j++) {
        for (long q0 = first; q0 <= last; q0 += 6) {
            __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
            __m256i c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
            for (long t = 0; t < 9; t++) {
                const int16_t *a = padded + (q0 + tap_offset(t, pw)) * c2;
                const int16_t *b = packed + (j * 9 + t) * pairs * 32;
                for (long p = 0; p < pairs; p++) {
                    __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + p * 32));
                    __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + p * 32 + 16));
                    const int16_t *ap = a + 2 * p;
                    __m256i x = _mm256_set1_epi32(pair_at(ap));
                    c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(x, b0)); c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(x, b1));
                    x = _mm256_set1_epi32(pair_at(ap + c2));
                    c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(x, b0)); c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(x, b1));
                    x = _mm256_set1_epi32(pair_at(ap + 2 * c2));
                    c20 = _mm256_add_epi32(c20, _mm256_madd_epi16(x, b0)); c21 = _mm256_add_epi32(c21, _mm256_madd_epi16(x, b1));
                    x = _mm256_set1_epi32(pair_at(ap + 3 * c2));
                    c30 = _mm256_add_epi32(c30, _mm256_madd_epi16(x, b0)); c31 = _mm256_add_epi32(c31, _mm256_madd_epi16(x, b1));
                    x = _mm256_set1_epi32(pair_at(ap + 4 * c2));
                    c40 = _mm256_add_epi32(c40, _mm256_madd_epi16(x, b0)); c41 = _mm256_add_epi32(c41, _mm256_madd_epi16(x, b1));
                    x = _mm256_set1_epi32(pair_at(ap + 5 * c2));
                    c50 = _mm256_add_epi32(c50, _mm256_madd_epi16(x, b0)); c51 = _mm256_add_epi32(c51, _mm256_madd_epi16(x, b1));
                }
            }
            uint32_t acc[6][16];
            _mm256_storeu_si256((__m256i *)acc[0], c00); _mm256_storeu_si256((__m256i *)(acc[0] + 8), c01);
            _mm256_storeu_si256((__m256i *)acc[1], c10); _mm256_storeu_si256((__m256i *)(acc[1] + 8), c11);
            _mm256_storeu_si256((__m256i *)acc[2], c20); _mm256_storeu_si256((__m256i *)(acc[2] + 8), c21);
            _mm256_storeu_si256((__m256i *)acc[3], c30); _mm256_storeu_si256((__m256i *)(acc[3] + 8), c31);
            _mm256_storeu_si256((__m256i *)acc[4], c40); _mm256_storeu_si256((__m256i *)(acc[4] + 8), c41);
            _mm256_storeu_si256((__m256i *)acc[5], c50); _mm256_storeu_si256((__m256i *)(acc[5] + 8), c51);
            store_block((const uint32_t (*)[16])acc, q0, last, pw, w, j, cout, bias, shift, out);
        }
    }
}

AVX2 static void int_conv_single_avx2(const int16_t *padded, long h, long w, long c2, const int16_t *weight,
                                      int32_t bias, int32_t *out) {
    if (c2 % 16 != 0) {  // the vector loop wants whole blocks of 16 channels; the sums are the same
        int_conv_single_portable(padded, h, w, c2, weight, bias, out);
        return;
    }
    long pw = w + 2;
    for (long y = 0; y < h; y++) {
        for (long x = 0; x < w; x++) {
            long q = (y + 1) * pw + x + 1;
            __m256i sum = _mm256_setzero_si256();
            for (long t = 0; t < 9; t++) {
                const int16_t *a = padded + (q + tap_offset(t, pw)) * c2, *b = weight + t * c2;
                for (long k = 0; k < c2; k += 16) {
                    sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(a + k)),
                                                                  _mm256_loadu_si256((const __m256i *)(b + k))));
                }
            }
            uint32_t lanes[8], acc = (uint32_t)bias;
            _mm256_storeu_si256((__m256i *)lanes, sum);
            for (int l = 0; l < 8; l++) acc += lanes[l];
            out[y * w + x] = (int32_t)acc;
        }
    }
}

#endif

// MARK: - Entry points

void aec_int_conv3x3(const int16_t *padded, long h, long w, long c2, const int16_t *packed, const int32_t *bias,
                     const int32_t *shift, long cout, int16_t *out) {
    AEC_CHOOSE(int_conv, padded, h, w, c2, packed, bias, shift, cout, out);
}

void aec_int_conv3x3_single(const int16_t *padded, long h, long w, long c2, const int16_t *weight, int32_t bias,
                            int32_t *out) {
    AEC_CHOOSE(int_conv_single, padded, h, w, c2, weight, bias, out);
}
