import CKernels

/// The forward 3×3 convolution as an *implicit* GEMM: the same product as im2col + `sgemm`,
/// out[p, co] = bias[co] + Σ_k col[p, k] · weight[k, co] with k = tap·cin + ci, but the micro-kernel reads
/// the rows of `col` straight from a zero-padded copy of the image instead of from a materialised (and
/// then packed) column matrix.
///
/// Why it works: in a copy of the image with a one-pixel zero border, (h + 2) × (w + 2) × cin, the input
/// pixel under tap (ky, kx) of output pixel q (numbered in the padded grid) is q + (ky − 1)·(w + 2) +
/// (kx − 1). So for a fixed tap, six consecutive output pixels read six consecutive padded pixels: a
/// 6 × cin block with row stride cin, which the kernel broadcasts from just as it would from a packed
/// panel. The two border columns of the padded grid are computed too and thrown away (2 of every w + 2).
///
/// The result is bit-identical to `Conv3x3.forwardIm2col`: every output sums its k terms in the same
/// order, split into the same K blocks (`GEMMBlocking.kc`), with the same fused multiply-adds — a
/// zero-padding tap contributes an exact 0 in both. Needs cout to be a multiple of 16 (the kernel's width).
enum ImplicitConv3x3 {
    static func supports(cin: Int, cout: Int) -> Bool { cout % GEMMBlocking.nr == 0 && cin >= 2 }

    /// out = conv(in) + bias, like `Conv3x3.forward`.
    static func forward(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        n: Int, h: Int, w: Int, cin: Int, cout: Int, workspace: Workspace) {
        let nr = GEMMBlocking.nr, mr = GEMMBlocking.mr
        let pw = w + 2, ph = h + 2, k = 9 * cin
        // Padded image [ph·pw + mr, cin]: mr spare zero pixels so that the last block of six reads in bounds.
        let padded = workspace.buffer(4, count: (ph * pw + mr) * cin)
        // Weight panels: panel j holds columns 16j..<16j+16 as [k × 16], like sgemm's packed B.
        let panels = workspace.buffer(5, count: k * cout)
        for j in 0..<(cout / nr) {
            for kk in 0..<k { (panels + (j * k + kk) * nr).update(from: weight + kk * cout + j * nr, count: nr) }
        }
        // Output pixels in padded-grid numbering: from (1, 1) to (h, w), the border columns in between
        // included, in blocks of six.
        let first = pw + 1, last = h * pw + w, blocks = (last - first) / mr + 1
        let scratch = UnsafeMutablePointer<Int>.allocate(capacity: 9 + blocks * mr)
        defer { scratch.deallocate() }
        // Tap t = ky·3 + kx reads `offsets[t]` padded pixels away from the output pixel.
        let offsets = scratch
        for t in 0..<9 { offsets[t] = (t / 3 - 1) * pw + (t % 3 - 1) }
        // Where row i of block r goes: `targets[r·6 + i]`, an output pixel's offset, or −1 for none
        // (a border column, or past the last pixel).
        let targets = scratch + 9
        for r in 0..<blocks {
            for i in 0..<mr {
                let q = first + r * mr + i, x = q % pw - 1, y = q / pw - 1
                targets[r * mr + i] = q <= last && x >= 0 && x < w ? (y * w + x) * cout : -1
            }
        }
        let tile = workspace.buffer(6, count: mr * nr)
        let kcMax = GEMMBlocking.kc(forDepth: k)

        padded.update(repeating: 0, count: (ph * pw + mr) * cin)
        for b in 0..<n {
            let image = input + b * h * w * cin
            for y in 0..<h {
                (padded + ((y + 1) * pw + 1) * cin).update(from: image + y * w * cin, count: w * cin)
            }
            let outImage = out + b * h * w * cout
            for p in 0..<(h * w) { (outImage + p * cout).update(from: bias, count: cout) }
            // Loop order as in sgemm: one K block of one weight panel (≤ 24 KB, stays in L1) against every
            // block of pixels.
            var k0 = 0
            while k0 < k {
                let kc = min(kcMax, k - k0)
                for j in 0..<(cout / nr) {
                    let panel = panels + (j * k + k0) * nr
                    for r in 0..<blocks {
                        kernel6x16(k0: k0, kc: kc, cin: cin, rows: padded + (first + r * mr) * cin, offsets: offsets,
                                   b: panel, into: tile)
                        // C += tile, as sgemm's micro-kernel stores (the first K block adds to the bias).
                        for i in 0..<mr where targets[r * mr + i] >= 0 {
                            let dst = UnsafeMutableRawPointer(outImage + targets[r * mr + i] + j * nr)
                            let src = UnsafeRawPointer(tile + i * nr)
                            dst.storeBytes(of: dst.loadUnaligned(as: SIMD8<Float>.self) + src.loadUnaligned(as: SIMD8<Float>.self),
                                           as: SIMD8<Float>.self)
                            dst.storeBytes(of: dst.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                                               + src.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self),
                                           toByteOffset: 32, as: SIMD8<Float>.self)
                        }
                    }
                }
                k0 += kc
            }
        }
    }

    /// tile[6 × 16] = Σ_{k0 ≤ kk < k0 + kc} A(i, kk) · b[kk − k0], where A(i, tap·cin + ci) is
    /// rows[(i + offsets[tap])·cin + ci]: the 6×16 register tile of `sgemm` fed from the padded image
    /// (`aec_conv_kernel_6x16`: AVX2 + FMA when the CPU has them, else the portable kernel, bit-identical).
    @inline(__always)
    private static func kernel6x16(k0: Int, kc: Int, cin: Int, rows: UnsafePointer<Float>, offsets: UnsafePointer<Int>,
                                   b: UnsafePointer<Float>, into tile: UnsafeMutablePointer<Float>) {
        aec_conv_kernel_6x16(k0, kc, cin, rows, offsets, b, tile)
    }
}
