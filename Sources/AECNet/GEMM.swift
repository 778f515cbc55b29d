import CKernels

/// Single-precision matrix multiply, written here (no BLAS): the engine under every convolution.
///
///     C = op(A)·op(B)          (accumulate == false)
///     C = C + op(A)·op(B)      (accumulate == true)
///
/// All matrices are row-major. `op(A)` is M×K: `A` itself (M rows of `lda` floats) or, with `transA`, the
/// transpose of a K×M matrix. `op(B)` is K×N likewise. `C` is M×N with row stride `ldc`.
///
/// The method is the Goto/BLIS one: B is copied ("packed") one KC×NC block at a time into panels of
/// `nr` columns, A one MC×KC block at a time into panels of `mr` rows, and a register-tiled micro-kernel
/// multiplies one A panel by one B panel into an mr×nr tile of C held in 12 SIMD registers. Packing makes
/// both transposes free and lets the micro-kernel read memory strictly sequentially; edges are zero-padded
/// in the packed panels so the kernel never branches on size.
///
/// Two shapes that the autoencoder needs and that tile badly get their own loops: N == 1 (a conv with one
/// output channel) is a matrix–vector product.
public func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int,
    accumulate: Bool
) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    if n == 1 {
        gemv(transA: transA, m: m, k: k, a: a, lda: lda, x: b, incx: transB ? 1 : ldb,
             y: c, incy: ldc, accumulate: accumulate)
        return
    }

    let kcMax = GEMMBlocking.kc(forDepth: k)
    // Pack buffers as large as this product needs, not as the blocks allow: a small product (the
    // Winograd convolution makes many) then takes a few KB from the allocator instead of a 1.5 MB block,
    // which glibc would map and unmap at every call.
    let mcMax = min(GEMMBlocking.mc, (m + GEMMBlocking.mr - 1) / GEMMBlocking.mr * GEMMBlocking.mr)
    let ncMax = min(GEMMBlocking.nc, (n + GEMMBlocking.nr - 1) / GEMMBlocking.nr * GEMMBlocking.nr)
    let packA = UnsafeMutablePointer<Float>.allocate(capacity: mcMax * kcMax)
    let packB = UnsafeMutablePointer<Float>.allocate(capacity: kcMax * ncMax)
    defer { packA.deallocate(); packB.deallocate() }

    var jc = 0
    while jc < n {
        let nc = min(GEMMBlocking.nc, n - jc)
        var pc = 0
        while pc < k {
            let kc = min(kcMax, k - pc)
            // The first K block writes C (or adds to it when accumulating); later blocks always add.
            let addToC = accumulate || pc > 0
            packPanelsB(transB: transB, b: b, ldb: ldb, row0: pc, col0: jc, kc: kc, nc: nc, into: packB)
            var ic = 0
            while ic < m {
                let mc = min(GEMMBlocking.mc, m - ic)
                packPanelsA(transA: transA, a: a, lda: lda, row0: ic, col0: pc, mc: mc, kc: kc, into: packA)
                macroKernel(mc: mc, nc: nc, kc: kc, packA: packA, packB: packB,
                            c: c + ic * ldc + jc, ldc: ldc, addToC: addToC)
                ic += mc
            }
            pc += kc
        }
        jc += nc
    }
}

/// Block sizes: an MC×KC block of A (≤ 180 KB) stays in L2, a KC×NR panel of B (≤ 24 KB) in L1.
enum GEMMBlocking {
    static let mr = 6
    static let nr = 16
    static let mc = 120          // a multiple of mr
    static let nc = 1024         // a multiple of nr

    /// The depth of a K block: K itself up to 384, else K cut into equal blocks of at most 384. Equal
    /// blocks matter: K = 288 (a 3×3 conv over 32 channels) cut as 256 + 32 would pay a full load and
    /// store of C for 32 steps of work.
    static func kc(forDepth k: Int) -> Int {
        let blocks = (k + 383) / 384
        return (k + blocks - 1) / blocks
    }
}

/// Packs rows row0..<row0+mc, columns col0..<col0+kc of op(A) into ⌈mc/6⌉ panels; panel r holds
/// element (i, p) at `r·6·kc + p·6 + i`. Rows past the edge are zero.
@inline(__always)
private func packPanelsA(transA: Bool, a: UnsafePointer<Float>, lda: Int, row0: Int, col0: Int,
                         mc: Int, kc: Int, into dst: UnsafeMutablePointer<Float>) {
    let mr = GEMMBlocking.mr
    var panel = dst
    var i0 = 0
    while i0 < mc {
        let rows = min(mr, mc - i0)
        if transA {
            // op(A)(i, p) = a[p·lda + i]: each step p reads `rows` consecutive floats.
            for p in 0..<kc {
                let src = a + (col0 + p) * lda + row0 + i0
                let out = panel + p * mr
                for i in 0..<rows { out[i] = src[i] }
                for i in rows..<mr { out[i] = 0 }
            }
        } else {
            // op(A)(i, p) = a[i·lda + p]: interleave `rows` row streams.
            if rows == mr {
                let r0 = a + (row0 + i0) * lda + col0, r1 = r0 + lda, r2 = r1 + lda
                let r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda
                for p in 0..<kc {
                    let out = panel + p * mr
                    out[0] = r0[p]; out[1] = r1[p]; out[2] = r2[p]
                    out[3] = r3[p]; out[4] = r4[p]; out[5] = r5[p]
                }
            } else {
                for p in 0..<kc {
                    let out = panel + p * mr
                    for i in 0..<rows { out[i] = a[(row0 + i0 + i) * lda + col0 + p] }
                    for i in rows..<mr { out[i] = 0 }
                }
            }
        }
        panel += mr * kc
        i0 += mr
    }
}

/// Packs rows row0..<row0+kc, columns col0..<col0+nc of op(B) into ⌈nc/16⌉ panels; panel s holds
/// element (p, j) at `s·16·kc + p·16 + j`. Columns past the edge are zero.
@inline(__always)
private func packPanelsB(transB: Bool, b: UnsafePointer<Float>, ldb: Int, row0: Int, col0: Int,
                         kc: Int, nc: Int, into dst: UnsafeMutablePointer<Float>) {
    let nr = GEMMBlocking.nr
    var panel = dst
    var j0 = 0
    while j0 < nc {
        let cols = min(nr, nc - j0)
        for p in 0..<kc {
            let out = panel + p * nr
            if transB {
                for j in 0..<cols { out[j] = b[(col0 + j0 + j) * ldb + row0 + p] }
            } else if cols == nr {
                let src = UnsafeRawPointer(b + (row0 + p) * ldb + col0 + j0)
                UnsafeMutableRawPointer(out).storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self),
                                                        as: SIMD16<Float>.self)
                continue
            } else {
                let src = b + (row0 + p) * ldb + col0 + j0
                for j in 0..<cols { out[j] = src[j] }
            }
            for j in cols..<nr { out[j] = 0 }
        }
        panel += nr * kc
        j0 += nr
    }
}

/// Multiplies every A panel by every B panel of the packed blocks into C.
@inline(__always)
private func macroKernel(mc: Int, nc: Int, kc: Int,
                         packA: UnsafePointer<Float>, packB: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, ldc: Int, addToC: Bool) {
    let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
    var edge = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(),
                SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())   // an mr×nr scratch tile
    var j0 = 0
    while j0 < nc {
        let cols = min(nr, nc - j0)
        let bPanel = packB + (j0 / nr) * nr * kc
        var i0 = 0
        while i0 < mc {
            let rows = min(mr, mc - i0)
            let aPanel = packA + (i0 / mr) * mr * kc
            let cTile = c + i0 * ldc + j0
            if rows == mr && cols == nr {
                microKernel6x16(kc: kc, a: aPanel, b: bPanel, c: cTile, ldc: ldc, addToC: addToC)
            } else {
                // Edge tile: compute the full 6×16 into scratch, then copy the valid part.
                withUnsafeMutableBytes(of: &edge) { raw in
                    let t = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                    microKernel6x16(kc: kc, a: aPanel, b: bPanel, c: t, ldc: nr, addToC: false)
                    for i in 0..<rows {
                        for j in 0..<cols {
                            cTile[i * ldc + j] = t[i * nr + j] + (addToC ? cTile[i * ldc + j] : 0)
                        }
                    }
                }
            }
            i0 += mr
        }
        j0 += nr
    }
}

/// The register tile: C[0..<6, 0..<16] (+)= Apanel · Bpanel (`aec_gemm_kernel_6x16`: AVX2 + FMA when the
/// CPU has them, else the portable kernel, bit-identical).
@inline(__always)
private func microKernel6x16(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                             c: UnsafeMutablePointer<Float>, ldc: Int, addToC: Bool) {
    aec_gemm_kernel_6x16(kc, a, b, c, ldc, addToC ? 1 : 0)
}

/// y (+)= op(A)·x for an M×K op(A): the N == 1 case of `sgemm`, where a 16-wide tile would waste 15/16.
private func gemv(transA: Bool, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                  x: UnsafePointer<Float>, incx: Int, y: UnsafeMutablePointer<Float>, incy: Int,
                  accumulate: Bool) {
    // Gather x into a contiguous vector once.
    let xs = UnsafeMutablePointer<Float>.allocate(capacity: k)
    defer { xs.deallocate() }
    for p in 0..<k { xs[p] = x[p * incx] }

    if transA {
        // op(A)(i, p) = a[p·lda + i]: y += x[p] · (row p of A), eight outputs at a time.
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: m)
        defer { acc.deallocate() }
        acc.update(repeating: 0, count: m)
        for p in 0..<k {
            let row = a + p * lda
            let s = xs[p]
            aec_axpy_lanes(s, row, acc, m / 8)
            var i = m / 8 * 8
            while i < m { acc[i] += s * row[i]; i += 1 }
        }
        for i in 0..<m { y[i * incy] = acc[i] + (accumulate ? y[i * incy] : 0) }
    } else {
        // op(A)(i, p) = a[i·lda + p]: a dot product per row (eight lanes, then their sum), four rows at a time.
        var i = 0
        while i < m {
            let rows = min(4, m - i)
            let r0 = a + i * lda
            let r1 = rows > 1 ? r0 + lda : r0, r2 = rows > 2 ? r0 + 2 * lda : r0, r3 = rows > 3 ? r0 + 3 * lda : r0
            var lanes = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())  // one chain per row
            withUnsafeMutableBytes(of: &lanes) {
                aec_fma_lanes4($0.baseAddress!.assumingMemoryBound(to: Float.self), r0, r1, r2, r3, xs, k / 8)
            }
            let (s0, s1, s2, s3) = lanes
            var p = k / 8 * 8
            var t0 = s0.sum(), t1 = s1.sum(), t2 = s2.sum(), t3 = s3.sum()
            while p < k {
                t0 += r0[p] * xs[p]; t1 += r1[p] * xs[p]; t2 += r2[p] * xs[p]; t3 += r3[p] * xs[p]
                p += 1
            }
            @inline(__always) func put(_ r: Int, _ t: Float) {
                if r < rows { y[(i + r) * incy] = t + (accumulate ? y[(i + r) * incy] : 0) }
            }
            put(0, t0); put(1, t1); put(2, t2); put(3, t3)
            i += rows
        }
    }
}

/// Which kernels run: chosen at run time from the CPU (CPUID), the same binary on every x86-64 CPU.
public enum EngineKernels {
    /// The kernel sets (aec_kernels.h).
    /// The kernel sets (aec_kernels.h), each running on fewer CPUs than the one before; all give the same
    /// results.
    public enum Set: Int32, Sendable, CaseIterable, Comparable {
        case portable = 0
        case avx2 = 1
        /// AVX2 + FMA, and AVX-512 VNNI for the integer decoder.
        case avx512 = 2

        public static func < (a: Set, b: Set) -> Bool { a.rawValue < b.rawValue }
    }

    /// The sets this CPU runs, the best first.
    public static var supported: [Set] { Set.allCases.filter { $0 <= best }.reversed() }

    /// The set in use: the best this CPU runs, unless `AEC_KERNELS=portable` (or `avx2`) was set when the process
    /// started, or `use` changed it.
    public static var current: Set { Set(rawValue: aec_kernels_current()) ?? .portable }

    /// The best set this CPU runs.
    public static var best: Set { Set(rawValue: aec_kernels_best()) ?? .portable }

    /// Switches to `set` (or to the best this CPU runs, if it cannot run `set`) and returns the set in use.
    /// The results are the same either way; for tests and benchmarks, not while the network runs.
    @discardableResult
    public static func use(_ set: Set) -> Set { Set(rawValue: aec_kernels_use(set.rawValue)) ?? .portable }

    public static var description: String {
        switch current {
        case .avx512:
            return "AVX2 + FMA, AVX-512 VNNI for decoding (chosen at run time; AEC_KERNELS=avx2 or portable for less)"
        case .avx2:
            return best == .avx2 ? "AVX2 + FMA (chosen at run time; AEC_KERNELS=portable for the portable kernels)"
                                 : "AVX2 + FMA (AEC_KERNELS=avx2; this CPU also runs AVX-512 VNNI)"
        case .portable:
            return best > .portable ? "portable (AEC_KERNELS=portable; this CPU also runs AVX2 + FMA)"
                                    : "portable (this CPU has no AVX2 + FMA)"
        }
    }
}
