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
    let packA = UnsafeMutablePointer<Float>.allocate(capacity: GEMMBlocking.mc * kcMax)
    let packB = UnsafeMutablePointer<Float>.allocate(capacity: kcMax * GEMMBlocking.nc)
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

/// Fused multiply-add on eight lanes: one instruction with FMA code generation (see Package.swift),
/// a multiply and an add otherwise.
@inline(__always)
func fma8(_ acc: SIMD8<Float>, _ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
#if AEC_FMA
    return acc.addingProduct(x, y)
#else
    return acc + x * y
#endif
}

/// The register tile: C[0..<6, 0..<16] (+)= Apanel · Bpanel, with the 6×16 accumulators in twelve
/// `SIMD8<Float>` registers, two B vectors and one broadcast A value: 15 of the 16 AVX2 registers.
@inline(__always)
private func microKernel6x16(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                             c: UnsafeMutablePointer<Float>, ldc: Int, addToC: Bool) {
    typealias V = SIMD8<Float>
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
    var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
    let braw = UnsafeRawPointer(b)
    var ap = a
    for p in 0..<kc {
        let b0 = braw.loadUnaligned(fromByteOffset: p * 64, as: V.self)
        let b1 = braw.loadUnaligned(fromByteOffset: p * 64 + 32, as: V.self)
        var x = V(repeating: ap[0]); c00 = fma8(c00, x, b0); c01 = fma8(c01, x, b1)
        x = V(repeating: ap[1]); c10 = fma8(c10, x, b0); c11 = fma8(c11, x, b1)
        x = V(repeating: ap[2]); c20 = fma8(c20, x, b0); c21 = fma8(c21, x, b1)
        x = V(repeating: ap[3]); c30 = fma8(c30, x, b0); c31 = fma8(c31, x, b1)
        x = V(repeating: ap[4]); c40 = fma8(c40, x, b0); c41 = fma8(c41, x, b1)
        x = V(repeating: ap[5]); c50 = fma8(c50, x, b0); c51 = fma8(c51, x, b1)
        ap += 6
    }
    @inline(__always) func store(_ row: Int, _ lo: V, _ hi: V) {
        let dst = UnsafeMutableRawPointer(c + row * ldc)
        if addToC {
            dst.storeBytes(of: dst.loadUnaligned(as: V.self) + lo, as: V.self)
            dst.storeBytes(of: dst.loadUnaligned(fromByteOffset: 32, as: V.self) + hi, toByteOffset: 32, as: V.self)
        } else {
            dst.storeBytes(of: lo, as: V.self)
            dst.storeBytes(of: hi, toByteOffset: 32, as: V.self)
        }
    }
    store(0, c00, c01); store(1, c10, c11); store(2, c20, c21)
    store(3, c30, c31); store(4, c40, c41); store(5, c50, c51)
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
            let sv = SIMD8<Float>(repeating: s)
            var i = 0
            while i + 8 <= m {
                let raw = UnsafeMutableRawPointer(acc + i)
                let v = fma8(raw.loadUnaligned(as: SIMD8<Float>.self), sv,
                             UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self))
                raw.storeBytes(of: v, as: SIMD8<Float>.self)
                i += 8
            }
            while i < m { acc[i] += s * row[i]; i += 1 }
        }
        for i in 0..<m { y[i * incy] = acc[i] + (accumulate ? y[i * incy] : 0) }
    } else {
        // op(A)(i, p) = a[i·lda + p]: a dot product per row, four rows at a time to share loads of x.
        var i = 0
        while i < m {
            let rows = min(4, m - i)
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
            let r0 = a + i * lda
            let r1 = rows > 1 ? r0 + lda : r0, r2 = rows > 2 ? r0 + 2 * lda : r0, r3 = rows > 3 ? r0 + 3 * lda : r0
            var p = 0
            while p + 8 <= k {
                let xv = UnsafeRawPointer(xs + p).loadUnaligned(as: SIMD8<Float>.self)
                s0 = fma8(s0, UnsafeRawPointer(r0 + p).loadUnaligned(as: SIMD8<Float>.self), xv)
                s1 = fma8(s1, UnsafeRawPointer(r1 + p).loadUnaligned(as: SIMD8<Float>.self), xv)
                s2 = fma8(s2, UnsafeRawPointer(r2 + p).loadUnaligned(as: SIMD8<Float>.self), xv)
                s3 = fma8(s3, UnsafeRawPointer(r3 + p).loadUnaligned(as: SIMD8<Float>.self), xv)
                p += 8
            }
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

/// Which kernels this build runs, for `--version` and the engine report: chosen at compile time (see
/// Package.swift; `AEC_PORTABLE=1` builds the portable ones).
public enum EngineKernels {
    public static var description: String {
#if AEC_FMA && arch(x86_64)
        return "AVX2 + FMA (SIMD8 GEMM micro-kernel, compiled in)"
#elseif AEC_FMA
        return "FMA (SIMD8 GEMM micro-kernel)"
#else
        return "portable (no FMA code generation)"
#endif
    }
}
