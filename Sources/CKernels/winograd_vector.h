// The data transforms of the Winograd convolutions F(2×2, 3×3) and F(4×4, 3×3) (WinogradConv.swift), written
// once and compiled for each instruction set: winograd.c includes this file once per set, after defining
//
//   W_NAME(name)   the function's name in that set (name_portable, name_avx2),
//   W_TARGET       the target attribute (empty for portable),
//   W_VEC          the type of 8 floats, and W_LOAD(p), W_STORE(p, v), W_ADD(a, b), W_SUB(a, b), W_MUL(a, b),
//                  W_MAX(a, b) (a > b ? a : b, lane by lane), W_ZERO(), W_SET1(x).
//
// Each output is computed by the same operations in the same order in every set (no fused multiply-adds),
// so every set gives the same bits. c is a multiple of 8; tiles are numbered over the batch (image, tile
// row, tile column), ⌈h/m⌉ × ⌈w/m⌉ per image for m×m output blocks; `step` floats separate ξ from ξ + 1
// in v, m and z. Within a plane, v is [count, ldv] (rows of c values, ldv ≥ c), m is [count, ldm], and z
// is in the GEMM's 16-column panels, [⌈c/16⌉, count, 16] (the lanes past c are left as they are).

// MARK: F(2×2, 3×3): 4×4 input patches, 2×2 output blocks, 16 planes; only additions and subtractions.

/// v[ξ][k·ldv + ci] = (Bᵀ·d·B)[ξ], d the 4×4 patch of tile first + k from (y − 1, x − 1), zeros outside.
W_TARGET static void W_NAME(winograd2_input)(const float *input, long h, long w, long c, long ldv, long first, long count,
                                            long step, float *v) {
    long cols = (w + 1) / 2, per_image = cols * ((h + 1) / 2);
    for (long k = 0; k < count; k++) {
        long t = first + k, r = t % per_image, y = 2 * (r / cols), x = 2 * (r % cols);
        const float *image = input + (t / per_image) * h * w * c;
        int inside = y >= 1 && y + 2 < h && x >= 1 && x + 2 < w;
        for (long g = 0; g < c; g += 8) {
            W_VEC d[4][4];
            for (int dy = 0; dy < 4; dy++) {
                for (int dx = 0; dx < 4; dx++) {
                    long yy = y - 1 + dy, xx = x - 1 + dx;
                    d[dy][dx] = inside || (yy >= 0 && yy < h && xx >= 0 && xx < w)
                        ? W_LOAD(image + (yy * w + xx) * c + g) : W_ZERO();
                }
            }
            float *out = v + k * ldv + g;
            for (int j = 0; j < 4; j++) {  // column j of Bᵀ·d, as rows 0…3 of the result's column
                W_VEC t0 = W_SUB(d[0][j], d[2][j]), t1 = W_ADD(d[1][j], d[2][j]);
                W_VEC t2 = W_SUB(d[2][j], d[1][j]), t3 = W_SUB(d[1][j], d[3][j]);
                d[0][j] = t0; d[1][j] = t1; d[2][j] = t2; d[3][j] = t3;
            }
            for (int i = 0; i < 4; i++) {  // row i of Bᵀ·d, times B
                W_STORE(out + (4 * i) * step, W_SUB(d[i][0], d[i][2]));
                W_STORE(out + (4 * i + 1) * step, W_ADD(d[i][1], d[i][2]));
                W_STORE(out + (4 * i + 2) * step, W_SUB(d[i][2], d[i][1]));
                W_STORE(out + (4 * i + 3) * step, W_SUB(d[i][1], d[i][3]));
            }
        }
    }
}

/// The 2×2 pixels of tile first + k that lie in the image: (Aᵀ·m·A) + bias, ReLU'd when `relu` is set,
/// written over `out`; row k of
/// each plane of m starts at k · ldm.
W_TARGET static void W_NAME(winograd2_output)(const float *m, long ldm, long h, long w, long c, long first, long count,
                                             long step, const float *bias, int relu, float *out) {
    long cols = (w + 1) / 2, per_image = cols * ((h + 1) / 2);
    for (long k = 0; k < count; k++) {
        long t = first + k, r = t % per_image, y = 2 * (r / cols), x = 2 * (r % cols);
        float *image = out + (t / per_image) * h * w * c;
        for (long g = 0; g < c; g += 8) {
            const float *from = m + k * ldm + g;
            W_VEC s0[4], s1[4];  // Aᵀ·m: two rows of four
            for (int j = 0; j < 4; j++) {
                W_VEC m0 = W_LOAD(from + j * step), m1 = W_LOAD(from + (4 + j) * step);
                W_VEC m2 = W_LOAD(from + (8 + j) * step), m3 = W_LOAD(from + (12 + j) * step);
                s0[j] = W_ADD(W_ADD(m0, m1), m2);
                s1[j] = W_SUB(W_SUB(m1, m2), m3);
            }
            W_VEC beta = W_LOAD(bias + g);
            W_VEC y00 = W_ADD(W_ADD(W_ADD(s0[0], s0[1]), s0[2]), beta), y01 = W_ADD(W_SUB(W_SUB(s0[1], s0[2]), s0[3]), beta);
            W_VEC y10 = W_ADD(W_ADD(W_ADD(s1[0], s1[1]), s1[2]), beta), y11 = W_ADD(W_SUB(W_SUB(s1[1], s1[2]), s1[3]), beta);
            if (relu) {
                y00 = W_MAX(y00, W_ZERO()); y01 = W_MAX(y01, W_ZERO());
                y10 = W_MAX(y10, W_ZERO()); y11 = W_MAX(y11, W_ZERO());
            }
            float *p = image + (y * w + x) * c + g;
            W_STORE(p, y00);
            if (x + 1 < w) W_STORE(p + c, y01);
            if (y + 1 < h) {
                W_STORE(p + w * c, y10);
                if (x + 1 < w) W_STORE(p + w * c + c, y11);
            }
        }
    }
}

/// z[ξ][panel of co][k][co mod 16] = (A·dY·Aᵀ)[ξ], dY the 2×2 output gradient of tile first + k (zeros outside the image).
W_TARGET static void W_NAME(winograd2_output_gradient)(const float *d_out, long h, long w, long c, long first,
                                                      long count, long step, float *z) {
    long cols = (w + 1) / 2, per_image = cols * ((h + 1) / 2);
    for (long k = 0; k < count; k++) {
        long t = first + k, r = t % per_image, y = 2 * (r / cols), x = 2 * (r % cols);
        const float *image = d_out + (t / per_image) * h * w * c;
        int right = x + 1 < w, below = y + 1 < h;
        for (long g = 0; g < c; g += 8) {
            const float *p = image + (y * w + x) * c + g;
            W_VEC y00 = W_LOAD(p), y01 = right ? W_LOAD(p + c) : W_ZERO();
            W_VEC y10 = below ? W_LOAD(p + w * c) : W_ZERO(), y11 = right && below ? W_LOAD(p + w * c + c) : W_ZERO();
            // A·dY: four rows of two; each row times Aᵀ.
            W_VEC rows[4][2] = {{y00, y01}, {W_ADD(y00, y10), W_ADD(y01, y11)}, {W_SUB(y00, y10), W_SUB(y01, y11)},
                                {W_SUB(W_ZERO(), y10), W_SUB(W_ZERO(), y11)}};
            float *to = z + (g / 16) * 16 * count + k * 16 + g % 16;
            for (int i = 0; i < 4; i++) {
                W_STORE(to + (4 * i) * step, rows[i][0]);
                W_STORE(to + (4 * i + 1) * step, W_ADD(rows[i][0], rows[i][1]));
                W_STORE(to + (4 * i + 2) * step, W_SUB(rows[i][0], rows[i][1]));
                W_STORE(to + (4 * i + 3) * step, W_SUB(W_ZERO(), rows[i][1]));
            }
        }
    }
}

// MARK: F(4×4, 3×3): 6×6 input patches, 4×4 output blocks, 36 planes (Lavin and Gray's matrices, points
// 0, ±1, ±2). Multiplies by the small integers 2, 4, 5, 8 are exact scalings or single roundings, done
// as separate operations in a fixed order, so here too every set gives the same bits.

/// v[ξ][k·ldv + ci] = (Bᵀ·d·B)[ξ], ξ = 6i + j, d the 6×6 patch of tile first + k from (y − 1, x − 1), zeros outside.
///
///     Bᵀ = | 4  0 −5  0  1  0 |
///          | 0 −4 −4  1  1  0 |
///          | 0  4 −4 −1  1  0 |
///          | 0 −2 −1  2  1  0 |
///          | 0  2 −1 −2  1  0 |
///          | 0  4  0 −5  0  1 |
W_TARGET static void W_NAME(winograd4_input)(const float *input, long h, long w, long c, long ldv, long first, long count,
                                             long step, float *v) {
    long cols = (w + 3) / 4, per_image = cols * ((h + 3) / 4);
    const W_VEC two = W_SET1(2.0f), four = W_SET1(4.0f), five = W_SET1(5.0f);
    for (long k = 0; k < count; k++) {
        long t = first + k, r = t % per_image, y = 4 * (r / cols), x = 4 * (r % cols);
        const float *image = input + (t / per_image) * h * w * c;
        int inside = y >= 1 && y + 4 < h && x >= 1 && x + 4 < w;
        for (long g = 0; g < c; g += 8) {
            W_VEC s[6][6];  // Bᵀ·d, filled column by column
            for (int j = 0; j < 6; j++) {
                W_VEC d[6];
                long xx = x - 1 + j;
                for (int i = 0; i < 6; i++) {
                    long yy = y - 1 + i;
                    d[i] = inside || (yy >= 0 && yy < h && xx >= 0 && xx < w)
                        ? W_LOAD(image + (yy * w + xx) * c + g) : W_ZERO();
                }
                W_VEC s12 = W_ADD(d[1], d[2]), d12 = W_SUB(d[1], d[2]);
                W_VEC s34 = W_ADD(d[3], d[4]), d43 = W_SUB(d[4], d[3]);
                W_VEC d42 = W_SUB(d[4], d[2]), d31 = W_SUB(d[3], d[1]);
                s[0][j] = W_ADD(W_SUB(W_MUL(four, d[0]), W_MUL(five, d[2])), d[4]);
                s[1][j] = W_SUB(s34, W_MUL(four, s12));
                s[2][j] = W_ADD(d43, W_MUL(four, d12));
                s[3][j] = W_ADD(d42, W_MUL(two, d31));
                s[4][j] = W_SUB(d42, W_MUL(two, d31));
                s[5][j] = W_ADD(W_SUB(W_MUL(four, d[1]), W_MUL(five, d[3])), d[5]);
            }
            float *out = v + k * ldv + g;
            for (int i = 0; i < 6; i++) {  // row i of Bᵀ·d, times B
                const W_VEC *e = s[i];
                W_VEC s12 = W_ADD(e[1], e[2]), d12 = W_SUB(e[1], e[2]);
                W_VEC s34 = W_ADD(e[3], e[4]), d43 = W_SUB(e[4], e[3]);
                W_VEC d42 = W_SUB(e[4], e[2]), d31 = W_SUB(e[3], e[1]);
                W_STORE(out + (6 * i) * step, W_ADD(W_SUB(W_MUL(four, e[0]), W_MUL(five, e[2])), e[4]));
                W_STORE(out + (6 * i + 1) * step, W_SUB(s34, W_MUL(four, s12)));
                W_STORE(out + (6 * i + 2) * step, W_ADD(d43, W_MUL(four, d12)));
                W_STORE(out + (6 * i + 3) * step, W_ADD(d42, W_MUL(two, d31)));
                W_STORE(out + (6 * i + 4) * step, W_SUB(d42, W_MUL(two, d31)));
                W_STORE(out + (6 * i + 5) * step, W_ADD(W_SUB(W_MUL(four, e[1]), W_MUL(five, e[3])), e[5]));
            }
        }
    }
}

/// The 4×4 pixels of tile first + k that lie in the image: (Aᵀ·m·A) + bias, ReLU'd when `relu` is set,
/// written over `out`; row k of
/// each plane of m starts at k · ldm.
///
///     Aᵀ = | 1  1  1  1  1  0 |
///          | 0  1 −1  2 −2  0 |
///          | 0  1  1  4  4  0 |
///          | 0  1 −1  8 −8  1 |
W_TARGET static void W_NAME(winograd4_output)(const float *m, long ldm, long h, long w, long c, long first, long count,
                                              long step, const float *bias, int relu, float *out) {
    long cols = (w + 3) / 4, per_image = cols * ((h + 3) / 4);
    const W_VEC two = W_SET1(2.0f), four = W_SET1(4.0f), eight = W_SET1(8.0f);
    for (long k = 0; k < count; k++) {
        long t = first + k, r = t % per_image, y = 4 * (r / cols), x = 4 * (r % cols);
        float *image = out + (t / per_image) * h * w * c;
        long rows_in = h - y < 4 ? h - y : 4, cols_in = w - x < 4 ? w - x : 4;
        for (long g = 0; g < c; g += 8) {
            const float *from = m + k * ldm + g;
            W_VEC s[4][6];  // Aᵀ·m, filled column by column
            for (int j = 0; j < 6; j++) {
                W_VEC e[6];
                for (int i = 0; i < 6; i++) e[i] = W_LOAD(from + (6 * i + j) * step);
                W_VEC s12 = W_ADD(e[1], e[2]), d12 = W_SUB(e[1], e[2]);
                W_VEC s34 = W_ADD(e[3], e[4]), d34 = W_SUB(e[3], e[4]);
                s[0][j] = W_ADD(W_ADD(e[0], s12), s34);
                s[1][j] = W_ADD(d12, W_MUL(two, d34));
                s[2][j] = W_ADD(s12, W_MUL(four, s34));
                s[3][j] = W_ADD(W_ADD(d12, W_MUL(eight, d34)), e[5]);
            }
            W_VEC beta = W_LOAD(bias + g);
            for (long i = 0; i < rows_in; i++) {  // row i of Aᵀ·m, times A
                const W_VEC *e = s[i];
                W_VEC s12 = W_ADD(e[1], e[2]), d12 = W_SUB(e[1], e[2]);
                W_VEC s34 = W_ADD(e[3], e[4]), d34 = W_SUB(e[3], e[4]);
                W_VEC o[4] = {W_ADD(W_ADD(e[0], s12), s34), W_ADD(d12, W_MUL(two, d34)),
                              W_ADD(s12, W_MUL(four, s34)), W_ADD(W_ADD(d12, W_MUL(eight, d34)), e[5])};
                float *p = image + ((y + i) * w + x) * c + g;
                for (long j = 0; j < cols_in; j++) {
                    W_VEC y = W_ADD(o[j], beta);
                    W_STORE(p + j * c, relu ? W_MAX(y, W_ZERO()) : y);
                }
            }
        }
    }
}

/// z[ξ][panel of co][k][co mod 16] = (A·dY·Aᵀ)[ξ], dY the 4×4 output gradient of tile first + k (zeros outside the image).
W_TARGET static void W_NAME(winograd4_output_gradient)(const float *d_out, long h, long w, long c, long first,
                                                       long count, long step, float *z) {
    long cols = (w + 3) / 4, per_image = cols * ((h + 3) / 4);
    const W_VEC two = W_SET1(2.0f), four = W_SET1(4.0f), eight = W_SET1(8.0f);
    for (long k = 0; k < count; k++) {
        long t = first + k, r = t % per_image, y = 4 * (r / cols), x = 4 * (r % cols);
        const float *image = d_out + (t / per_image) * h * w * c;
        long rows_in = h - y < 4 ? h - y : 4, cols_in = w - x < 4 ? w - x : 4;
        for (long g = 0; g < c; g += 8) {
            W_VEC s[6][4];  // A·dY, filled column by column
            for (int j = 0; j < 4; j++) {
                W_VEC d[4];
                for (int i = 0; i < 4; i++) {
                    d[i] = i < rows_in && j < cols_in ? W_LOAD(image + ((y + i) * w + x + j) * c + g) : W_ZERO();
                }
                W_VEC s02 = W_ADD(d[0], d[2]), s13 = W_ADD(d[1], d[3]);
                W_VEC q02 = W_ADD(d[0], W_MUL(four, d[2])), q13 = W_ADD(W_MUL(two, d[1]), W_MUL(eight, d[3]));
                s[0][j] = d[0];
                s[1][j] = W_ADD(s02, s13);
                s[2][j] = W_SUB(s02, s13);
                s[3][j] = W_ADD(q02, q13);
                s[4][j] = W_SUB(q02, q13);
                s[5][j] = d[3];
            }
            float *to = z + (g / 16) * 16 * count + k * 16 + g % 16;
            for (int i = 0; i < 6; i++) {  // row i of A·dY, times Aᵀ
                const W_VEC *d = s[i];
                W_VEC s02 = W_ADD(d[0], d[2]), s13 = W_ADD(d[1], d[3]);
                W_VEC q02 = W_ADD(d[0], W_MUL(four, d[2])), q13 = W_ADD(W_MUL(two, d[1]), W_MUL(eight, d[3]));
                W_STORE(to + (6 * i) * step, d[0]);
                W_STORE(to + (6 * i + 1) * step, W_ADD(s02, s13));
                W_STORE(to + (6 * i + 2) * step, W_SUB(s02, s13));
                W_STORE(to + (6 * i + 3) * step, W_ADD(q02, q13));
                W_STORE(to + (6 * i + 4) * step, W_SUB(q02, q13));
                W_STORE(to + (6 * i + 5) * step, d[3]);
            }
        }
    }
}

// MARK: The weight transforms, for either algorithm: G is α×3, row-major (winograd.c holds both).

/// Σ coefficient[k·c_step] · term[k·t_step] over k < count, the zero coefficients skipped, in k order.
W_TARGET static inline W_VEC W_NAME(weighted_sum)(const float *coefficient, long c_step, const W_VEC *term,
                                                  long t_step, long count) {
    W_VEC sum = W_ZERO();
    int started = 0;
    for (long k = 0; k < count; k++) {
        if (coefficient[k * c_step] == 0) continue;
        W_VEC product = W_MUL(W_SET1(coefficient[k * c_step]), term[k * t_step]);
        sum = started ? W_ADD(sum, product) : product;
        started = 1;
    }
    return sum;
}

/// u = G·g·Gᵀ for every kernel g, packed for the GEMM kernel: ξ's plane is [⌈cout/16⌉ panels, cin, 16], the
/// lanes past cout zero. weight is [3, 3, cin, cout]; eight output channels at a time.
W_TARGET static void W_NAME(winograd_weights)(long alpha, const float *G, const float *weight, long cin, long cout,
                                              float *u) {
    long plane = cin * cout, panels = (cout + 15) / 16, xi_stride = panels * 16 * cin;
    for (long ci = 0; ci < cin; ci++) {
        for (long co = 0; co < panels * 16; co += 8) {
            float *to = u + (co / 16) * 16 * cin + ci * 16 + co % 16;
            if (co >= cout) {  // the upper half of a last half panel
                for (long xi = 0; xi < alpha * alpha; xi++) W_STORE(to + xi * xi_stride, W_ZERO());
                continue;
            }
            W_VEC g[3][3], t[6][3];
            for (int tap = 0; tap < 9; tap++) g[tap / 3][tap % 3] = W_LOAD(weight + tap * plane + ci * cout + co);
            for (long a = 0; a < alpha; a++) {  // T = G·g
                for (int j = 0; j < 3; j++) t[a][j] = W_NAME(weighted_sum)(G + a * 3, 1, &g[0][j], 3, 3);
            }
            for (long a = 0; a < alpha; a++) {  // U = T·Gᵀ
                for (long b = 0; b < alpha; b++) {
                    W_STORE(to + (a * alpha + b) * xi_stride, W_NAME(weighted_sum)(G + b * 3, 1, t[a], 1, 3));
                }
            }
        }
    }
}

/// d_weight[tap][ci][co] += (Gᵀ·dU·G)[tap], dU read as α² planes `du_step` floats apart of rows ldu floats
/// apart ([ci][co], the first cin rows and cout columns). Eight output channels at a time.
W_TARGET static void W_NAME(winograd_weight_gradient)(long alpha, const float *G, const float *du, long du_step,
                                                      long ldu, long cin, long cout, float *d_weight) {
    long plane = cin * cout;
    for (long ci = 0; ci < cin; ci++) {
        for (long co = 0; co < cout; co += 8) {
            const float *from = du + ci * ldu + co;
            W_VEC s[3][6];
            for (long b = 0; b < alpha; b++) {  // S = Gᵀ·dU, column b
                W_VEC column[6];
                for (long a = 0; a < alpha; a++) column[a] = W_LOAD(from + (a * alpha + b) * du_step);
                for (int i = 0; i < 3; i++) s[i][b] = W_NAME(weighted_sum)(G + i, 3, column, 1, alpha);
            }
            for (int i = 0; i < 3; i++) {  // dW += S·G
                for (int j = 0; j < 3; j++) {
                    float *to = d_weight + (i * 3 + j) * plane + ci * cout + co;
                    W_STORE(to, W_ADD(W_LOAD(to), W_NAME(weighted_sum)(G + j, 3, s[i], 1, alpha)));
                }
            }
        }
    }
}
