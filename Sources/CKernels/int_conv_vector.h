// The integer decoder's vector kernels (fixed_point.c), written once and compiled for each instruction
// set that has them: fixed_point.c includes this file once per set, after defining
//
//   INT_NAME(name)      the function's name in that set (name_avx2, name_vnni),
//   INT_TARGET          the target attribute,
//   INT_MADD(c, x, b)   c + the pairwise products of the int16 lanes of x and b, summed in pairs into the
//                       int32 lanes: vpmaddwd then vpaddd on AVX2, the one vpdpwssd with AVX-512 VNNI.
//
// Both give the same sums (modulo 2^32), so the choice of set never changes a decoded pixel.

INT_TARGET static void INT_NAME(int_conv)(const int16_t *padded, long h, long w, long c2, long taps,
                                          const long *offsets, const int16_t *packed, const int32_t *bias,
                                          const int32_t *shift, long cout, struct placement at, int16_t *out) {
    long pw = w + 2, first = pw + 1, last = h * pw + w, pairs = c2 / 2;
    // One 16-channel block of weights at a time (taps · c2 · 16 int16, ≤ 18 KB: stays in L1) against every
    // block of six pixels.
    for (long j = 0; j < (cout + 15) / 16; j++) {
        for (long q0 = first; q0 <= last; q0 += 6) {
            __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
            __m256i c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
            for (long t = 0; t < taps; t++) {
                const int16_t *a = padded + (q0 + offsets[t]) * c2;
                const int16_t *b = packed + (j * taps + t) * pairs * 32;
                for (long p = 0; p < pairs; p++) {
                    __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + p * 32));
                    __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + p * 32 + 16));
                    const int16_t *ap = a + 2 * p;
                    __m256i x = _mm256_set1_epi32(pair_at(ap));
                    c00 = INT_MADD(c00, x, b0); c01 = INT_MADD(c01, x, b1);
                    x = _mm256_set1_epi32(pair_at(ap + c2));
                    c10 = INT_MADD(c10, x, b0); c11 = INT_MADD(c11, x, b1);
                    x = _mm256_set1_epi32(pair_at(ap + 2 * c2));
                    c20 = INT_MADD(c20, x, b0); c21 = INT_MADD(c21, x, b1);
                    x = _mm256_set1_epi32(pair_at(ap + 3 * c2));
                    c30 = INT_MADD(c30, x, b0); c31 = INT_MADD(c31, x, b1);
                    x = _mm256_set1_epi32(pair_at(ap + 4 * c2));
                    c40 = INT_MADD(c40, x, b0); c41 = INT_MADD(c41, x, b1);
                    x = _mm256_set1_epi32(pair_at(ap + 5 * c2));
                    c50 = INT_MADD(c50, x, b0); c51 = INT_MADD(c51, x, b1);
                }
            }
            uint32_t acc[6][16];
            _mm256_storeu_si256((__m256i *)acc[0], c00); _mm256_storeu_si256((__m256i *)(acc[0] + 8), c01);
            _mm256_storeu_si256((__m256i *)acc[1], c10); _mm256_storeu_si256((__m256i *)(acc[1] + 8), c11);
            _mm256_storeu_si256((__m256i *)acc[2], c20); _mm256_storeu_si256((__m256i *)(acc[2] + 8), c21);
            _mm256_storeu_si256((__m256i *)acc[3], c30); _mm256_storeu_si256((__m256i *)(acc[3] + 8), c31);
            _mm256_storeu_si256((__m256i *)acc[4], c40); _mm256_storeu_si256((__m256i *)(acc[4] + 8), c41);
            _mm256_storeu_si256((__m256i *)acc[5], c50); _mm256_storeu_si256((__m256i *)(acc[5] + 8), c51);
            store_block((const uint32_t (*)[16])acc, q0, last, pw, w, j, cout, bias, shift, at, out);
        }
    }
}

INT_TARGET static void INT_NAME(int_conv_single)(const int16_t *padded, long h, long w, long c2, const int16_t *weight,
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
                    sum = INT_MADD(sum, _mm256_loadu_si256((const __m256i *)(a + k)), _mm256_loadu_si256((const __m256i *)(b + k)));
                }
            }
            uint32_t lanes[8], acc = (uint32_t)bias;
            _mm256_storeu_si256((__m256i *)lanes, sum);
            for (int l = 0; l < 8; l++) acc += lanes[l];
            out[y * w + x] = (int32_t)acc;
        }
    }
}

