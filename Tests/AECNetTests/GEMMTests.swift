import AECBase
import XCTest
@testable import AECNet

/// `sgemm` (packed, blocked, 6×16 micro-kernel) against `sgemmReference` (triple loop in Double).
final class GEMMTests: XCTestCase {
    /// Relative tolerance against the largest magnitude of the reference result. Float32 sums over K ≤ 300
    /// of products of values in [−1, 1] stay well inside it; a wrong index or a missed edge is O(1).
    let tolerance: Float = 1e-5

    /// Runs both implementations on the same random A, B and initial C, with leading dimensions padded by
    /// `pad` floats, and checks the result and that nothing outside the M×N window of C was written.
    private func check(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, accumulate: Bool, pad: Int = 0,
                       seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SplitMix64(seed: seed, stream: UInt64(m), UInt64(n), UInt64(k))
        // Stored shapes: A is M×K (K×M when transposed), B is K×N (N×K when transposed).
        let (aRows, aCols) = transA ? (k, m) : (m, k)
        let (bRows, bCols) = transB ? (n, k) : (k, n)
        let lda = aCols + pad, ldb = bCols + pad, ldc = n + pad
        // Padding of A and B is NaN: reading it would poison the result.
        var a = [Float](repeating: .nan, count: max(1, aRows * lda))
        var b = [Float](repeating: .nan, count: max(1, bRows * ldb))
        for r in 0..<aRows { for c in 0..<aCols { a[r * lda + c] = 2 * rng.nextUnitFloat() - 1 } }
        for r in 0..<bRows { for c in 0..<bCols { b[r * ldb + c] = 2 * rng.nextUnitFloat() - 1 } }
        // C has one extra row; its padding and the extra row hold a sentinel that must survive.
        let sentinel: Float = 1234.5
        var c0 = [Float](repeating: sentinel, count: (m + 1) * ldc)
        for r in 0..<m { for col in 0..<n { c0[r * ldc + col] = 2 * rng.nextUnitFloat() - 1 } }
        var fast = c0, reference = c0
        withPointers(a, b) { pa, pb in
            fast.withPointer { pc in
                sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: pa, lda: lda, b: pb, ldb: ldb,
                      c: pc, ldc: ldc, accumulate: accumulate)
            }
            reference.withPointer { pc in
                sgemmReference(transA: transA, transB: transB, m: m, n: n, k: k, a: pa, lda: lda, b: pb, ldb: ldb,
                               c: pc, ldc: ldc, accumulate: accumulate)
            }
        }
        let what = "sgemm(transA: \(transA), transB: \(transB), m: \(m), n: \(n), k: \(k), accumulate: \(accumulate), pad: \(pad))"
        var inside: [Float] = [], insideRef: [Float] = []
        for r in 0..<m { for col in 0..<n { inside.append(fast[r * ldc + col]); insideRef.append(reference[r * ldc + col]) } }
        assertClose(inside, insideRef, relativeTolerance: tolerance, what, file: file, line: line)
        for i in fast.indices where (i / ldc >= m || i % ldc >= n) && fast[i] != sentinel {
            XCTFail("\(what) wrote \(fast[i]) outside C at row \(i / ldc), column \(i % ldc)", file: file, line: line)
            break
        }
    }

    private let transposes = [(false, false), (false, true), (true, false), (true, true)]

    /// Every size in {1, 5, 6, 7, 17, 121, 300} in each of M, N and K, the other two small, so that every
    /// edge of the 6×16 tile and of the MC = 120 row blocks is reached in each dimension.
    func testEachDimensionAcrossTileAndBlockEdges() {
        let sizes = [1, 5, 6, 7, 17, 121, 300]
        for (ta, tb) in transposes {
            for s in sizes {
                for (m, n, k) in [(s, 7, 5), (5, s, 7), (7, 17, s)] {
                    check(transA: ta, transB: tb, m: m, n: n, k: k, accumulate: false, seed: 1)
                }
            }
        }
    }

    /// Larger shapes crossing several block boundaries at once: M > MC = 120 (up to three row blocks), K
    /// long enough to be cut into two or three K blocks (> 256 and > 384, so whichever KC the blocking uses,
    /// later blocks add to the first), N > NC = 1024 (two column blocks), with and without padding.
    func testShapesCrossingSeveralBlocks() {
        let shapes = [(121, 17, 300), (300, 33, 257), (7, 1030, 6), (13, 1041, 260), (122, 20, 513),
                      (250, 18, 385), (13, 40, 769), (9, 1025, 400)]
        for (ta, tb) in transposes {
            for (i, (m, n, k)) in shapes.enumerated() {
                check(transA: ta, transB: tb, m: m, n: n, k: k, accumulate: i % 2 == 1, pad: i % 3, seed: 2)
            }
        }
    }

    func testAccumulateAddsToC() {
        for (ta, tb) in transposes {
            for (m, n, k) in [(6, 16, 9), (7, 17, 5), (121, 3, 300), (5, 1, 7), (1, 2, 1)] {
                check(transA: ta, transB: tb, m: m, n: n, k: k, accumulate: true, seed: 3)
                check(transA: ta, transB: tb, m: m, n: n, k: k, accumulate: false, seed: 3)
            }
        }
    }

    /// N == 1 takes the matrix–vector path (both transA), including M not a multiple of 4 or 8.
    func testMatrixVectorPath() {
        for (ta, tb) in transposes {
            for (m, k) in [(1, 1), (3, 7), (4, 8), (9, 17), (17, 300), (121, 5)] {
                for acc in [false, true] {
                    check(transA: ta, transB: tb, m: m, n: 1, k: k, accumulate: acc, pad: 0, seed: 4)
                    check(transA: ta, transB: tb, m: m, n: 1, k: k, accumulate: acc, pad: 3, seed: 5)
                }
            }
        }
    }

    /// Leading dimensions larger than the matrix width: NaN padding in A and B is never read, and the
    /// padding of C is never written.
    func testPaddedLeadingDimensions() {
        for (ta, tb) in transposes {
            for (m, n, k) in [(6, 16, 8), (7, 18, 9), (13, 33, 20), (2, 2, 2), (1, 17, 1)] {
                for pad in [1, 5, 16] {
                    check(transA: ta, transB: tb, m: m, n: n, k: k, accumulate: pad == 5, pad: pad, seed: 6)
                }
            }
        }
    }

    /// K == 0: C = 0 (inside the M×N window only) without accumulate, C unchanged with it.
    func testEmptyInnerDimension() {
        for (ta, tb) in transposes {
            for (m, n) in [(1, 1), (5, 1), (7, 17)] {
                check(transA: ta, transB: tb, m: m, n: n, k: 0, accumulate: false, pad: 2, seed: 7)
                check(transA: ta, transB: tb, m: m, n: n, k: 0, accumulate: true, pad: 2, seed: 7)
            }
        }
        // And by hand: a 2×3 C with ldc 4.
        var c: [Float] = [1, 2, 3, 9, 4, 5, 6, 9]
        let dummy: [Float] = [.nan]
        withPointers(dummy, dummy) { a, b in
            c.withPointer { sgemm(transA: false, transB: false, m: 2, n: 3, k: 0, a: a, lda: 1, b: b, ldb: 3,
                                  c: $0, ldc: 4, accumulate: true) }
            XCTAssertEqual(c, [1, 2, 3, 9, 4, 5, 6, 9])
            c.withPointer { sgemm(transA: false, transB: false, m: 2, n: 3, k: 0, a: a, lda: 1, b: b, ldb: 3,
                                  c: $0, ldc: 4, accumulate: false) }
            XCTAssertEqual(c, [0, 0, 0, 9, 0, 0, 0, 9])
        }
    }

    /// A 2×3 times 3×2 product worked out by hand, in all four storage orders.
    func testHandComputedProduct() {
        let a: [Float] = [1, 2, 3, 4, 5, 6]        // [[1, 2, 3], [4, 5, 6]]
        let aT: [Float] = [1, 4, 2, 5, 3, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]     // [[7, 8], [9, 10], [11, 12]]
        let bT: [Float] = [7, 9, 11, 8, 10, 12]
        let expected: [Float] = [58, 64, 139, 154]
        for (ta, tb) in transposes {
            var c = [Float](repeating: -1, count: 4)
            withPointers(ta ? aT : a, tb ? bT : b) { pa, pb in
                c.withPointer { sgemm(transA: ta, transB: tb, m: 2, n: 2, k: 3, a: pa, lda: ta ? 2 : 3,
                                      b: pb, ldb: tb ? 3 : 2, c: $0, ldc: 2, accumulate: false) }
            }
            XCTAssertEqual(c, expected, "transA \(ta) transB \(tb)")
        }
    }

    /// M == 0 or N == 0 is a no-op.
    func testEmptyOutput() {
        var c: [Float] = [42, 42]
        let x: [Float] = [1, 2, 3, 4]
        withPointers(x, x) { a, b in
            c.withPointer {
                sgemm(transA: false, transB: false, m: 0, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2, c: $0, ldc: 2, accumulate: false)
                sgemm(transA: false, transB: false, m: 1, n: 0, k: 2, a: a, lda: 2, b: b, ldb: 2, c: $0, ldc: 2, accumulate: false)
            }
        }
        XCTAssertEqual(c, [42, 42])
    }
}
