import AECNet
import Foundation

/// Timings of the engine itself (release build): our GEMM against the reference on the convolution
/// shapes, and forward / training images per second for several widths. Every speed is reported next to
/// a reference measured in the same run, because the machines this runs on are shared and noisy.
public enum EngineBenchmark {
    /// One GEMM shape as the convolutions use it: M pixels × K = 9·cin × N = cout.
    public struct GEMMShape: Sendable {
        public var name: String, m: Int, n: Int, k: Int, transA: Bool, transB: Bool
    }

    /// The shapes of a 32/32/16 model's convolutions, forward and backward, for a run of pixels.
    public static func convolutionShapes() -> [GEMMShape] {
        [
            GEMMShape(name: "fwd 28×28 conv 32→32", m: 336, n: 32, k: 288, transA: false, transB: false),
            GEMMShape(name: "fwd 14×14 conv 32→32", m: 196, n: 32, k: 288, transA: false, transB: false),
            GEMMShape(name: "fwd 7×7 conv 16→16 (×8 tiles)", m: 392, n: 16, k: 144, transA: false, transB: false),
            GEMMShape(name: "fwd 28×28 conv 1→32", m: 784, n: 32, k: 9, transA: false, transB: false),
            GEMMShape(name: "fwd 28×28 conv 32→1", m: 784, n: 1, k: 288, transA: false, transB: false),
            GEMMShape(name: "bwd dW 28×28 32→32", m: 288, n: 32, k: 336, transA: true, transB: false),
            GEMMShape(name: "bwd dX 28×28 32→32", m: 336, n: 288, k: 32, transA: false, transB: true),
        ]
    }

    public struct GEMMResult: Sendable {
        public var shape: GEMMShape
        public var gflops: Double, referenceGflops: Double, maxRelativeError: Double
    }

    /// Times `sgemm` and `sgemmReference` on one shape (single thread) and checks they agree.
    public static func measureGEMM(_ s: GEMMShape, seconds: Double = 0.3) -> GEMMResult {
        var rng = SplitMix64(seed: 7)
        let a = (0..<(s.m * s.k)).map { _ in rng.nextUnitFloat() - 0.5 }
        let b = (0..<(s.k * s.n)).map { _ in rng.nextUnitFloat() - 0.5 }
        var c = [Float](repeating: 0, count: s.m * s.n), cRef = c
        let lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n
        let flops = 2.0 * Double(s.m * s.n * s.k)
        let fast = timeIt(seconds: seconds) {
            sgemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, a: a, lda: lda, b: b, ldb: ldb,
                  c: &c, ldc: s.n, accumulate: false)
        }
        let slow = timeIt(seconds: seconds / 3) {
            sgemmReference(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, a: a, lda: lda, b: b,
                           ldb: ldb, c: &cRef, ldc: s.n, accumulate: false)
        }
        let scale = cRef.map { abs($0) }.max() ?? 1
        let err = zip(c, cRef).map { Double(abs($0 - $1)) }.max()! / Double(max(scale, 1e-30))
        return GEMMResult(shape: s, gflops: flops / fast / 1e9, referenceGflops: flops / slow / 1e9,
                          maxRelativeError: err)
    }

    /// Seconds per call of `body`, the best of several timed batches lasting `seconds` in all.
    public static func timeIt(seconds: Double, _ body: () -> Void) -> Double {
        body()  // warm up
        var best = Double.infinity
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            var calls = 0
            let start = DispatchTime.now().uptimeNanoseconds
            repeat { body(); calls += 1 } while DispatchTime.now().uptimeNanoseconds - start < 20_000_000
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(calls))
        } while Date() < deadline
        return best
    }
}
