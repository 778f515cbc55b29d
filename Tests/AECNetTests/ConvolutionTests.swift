import AECBase
import XCTest
@testable import AECNet

/// The im2col + GEMM convolution against its definition (`Conv3x3.forwardDirect`), and its backward pass
/// against the definition of the three gradients, written here as nested loops in Double. cout = 1 takes
/// the direct single-output path (SIMD over input channels: cin 9 and 17 reach both the 8-wide loop and
/// its tail), cin = 1 the direct single-input path (SIMD over output channels, likewise cout 9 and 17).
final class ConvolutionTests: XCTestCase {
    struct Case { var n, h, w, cin, cout: Int }

    /// Random input, weight, bias for a case.
    private func randomProblem(_ c: Case, seed: UInt64) -> (input: [Float], weight: [Float], bias: [Float]) {
        var rng = SplitMix64(seed: seed, stream: UInt64(c.h), UInt64(c.w), UInt64(c.cin), UInt64(c.cout))
        return (randomFloats(c.n * c.h * c.w * c.cin, &rng), randomFloats(9 * c.cin * c.cout, &rng),
                randomFloats(c.cout, &rng))
    }

    /// The convolution by its definition (`direct`), by the Winograd algorithm given, or as `Conv3x3`
    /// chooses.
    private func forward(_ c: Case, _ input: [Float], _ weight: [Float], _ bias: [Float],
                         direct: Bool, winograd: WinogradConv3x3.Tile? = nil, workspace: Workspace = Workspace()) -> [Float] {
        var out = [Float](repeating: .nan, count: c.n * c.h * c.w * c.cout)
        input.withUnsafeBufferPointer { i in weight.withUnsafeBufferPointer { w in bias.withUnsafeBufferPointer { b in
            out.withPointer { o in
                if let winograd, !direct {
                    WinogradConv3x3.forward(out: o, input: i.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                                            n: c.n, h: c.h, w: c.w, cin: c.cin, cout: c.cout, workspace: workspace,
                                            tile: winograd)
                } else if direct {
                    Conv3x3.forwardDirect(out: o, input: i.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                                          n: c.n, h: c.h, w: c.w, cin: c.cin, cout: c.cout)
                } else {
                    Conv3x3.forward(out: o, input: i.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                                    n: c.n, h: c.h, w: c.w, cin: c.cin, cout: c.cout, workspace: workspace)
                }
            }
        } } }
        return out
    }

    /// Tolerance relative to the largest output: Float32 sums over 9·cin ≤ 3600 terms.
    private func tolerance(cin: Int) -> Float { cin >= 100 ? 1e-5 : 2e-6 }

    func testIm2colForwardEqualsDirectConvolution() {
        for (h, w) in [(1, 1), (3, 5), (28, 28)] {
            for cin in [1, 3, 8] {
                for cout in [1, 3, 8] {
                    let c = Case(n: 2, h: h, w: w, cin: cin, cout: cout)
                    let (x, wt, b) = randomProblem(c, seed: 10)
                    assertClose(forward(c, x, wt, b, direct: false), forward(c, x, wt, b, direct: true),
                                relativeTolerance: tolerance(cin: cin), "conv \(c)")
                }
            }
        }
    }

    /// cout a multiple of 16 takes the implicit GEMM: against the definition, and bit for bit against
    /// im2col + sgemm (same sums in the same order, the same K blocks: cin 64 and 100 make K = 576 and
    /// 900, cut into 2 and 3 blocks that end inside a tap).
    func testImplicitGEMMForwardEqualsDirectAndIm2colBitForBit() {
        for (h, w) in [(1, 1), (2, 9), (7, 7), (14, 14), (28, 28)] {
            for (cin, cout) in [(2, 16), (3, 32), (16, 16), (32, 32), (64, 64), (100, 16), (32, 48)] {
                guard h * w * cin * cout <= 28 * 28 * 64 * 64 else { continue }
                let c = Case(n: 2, h: h, w: w, cin: cin, cout: cout)
                XCTAssertTrue(ImplicitConv3x3.supports(cin: cin, cout: cout))
                let (x, wt, b) = randomProblem(c, seed: 21)
                var implicit = [Float](repeating: .nan, count: c.n * c.h * c.w * c.cout)
                x.withUnsafeBufferPointer { i in wt.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
                    implicit.withPointer { o in
                        ImplicitConv3x3.forward(out: o, input: i.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                                                n: c.n, h: c.h, w: c.w, cin: c.cin, cout: c.cout, workspace: Workspace())
                    }
                } } }
                assertClose(implicit, forward(c, x, wt, b, direct: true), relativeTolerance: tolerance(cin: cin), "conv \(c)")
                var explicit = [Float](repeating: .nan, count: implicit.count)
                x.withUnsafeBufferPointer { i in wt.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
                    explicit.withPointer { o in
                        Conv3x3.forwardIm2col(out: o, input: i.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                                              n: c.n, h: c.h, w: c.w, cin: c.cin, cout: c.cout, workspace: Workspace())
                    }
                } } }
                XCTAssertEqual(implicit.map(\.bitPattern), explicit.map(\.bitPattern), "conv \(c): not bit-identical")
            }
        }
    }

    /// Shapes that take the Winograd path (`Conv3x3.forward` chooses it), under both algorithms: against
    /// the definition, with odd sizes (partial tiles at the right and bottom edges), batches whose tiles
    /// span several chunks of `chunkTiles` with a partial last one (whose row count is no multiple of the
    /// GEMM kernel's 6), and channel counts that are not multiples of the kernel's 16 columns. The
    /// transforms add rounded terms to every output: F(2×2, 3×3) is held to 4× the direct sum's tolerance,
    /// F(4×4, 3×3), whose transforms multiply by up to 8 (input) and 8 (output), to 16×.
    func testWinogradForwardEqualsDirect() {
        for tile in [WinogradConv3x3.Tile.f2, .f4] {
            for (n, h, w, cin, cout) in [(1, 8, 8, 16, 16), (2, 9, 11, 16, 24), (3, 14, 14, 32, 16), (2, 28, 28, 64, 64),
                                         (1, 13, 8, 40, 32), (2, 28, 27, 16, 64), (3, 7, 7, 32, 32)] {
                let c = Case(n: n, h: h, w: w, cin: cin, cout: cout)
                XCTAssertTrue(WinogradConv3x3.supports(h: h, w: w, cin: cin, cout: cout), "\(c)")
                let (x, wt, b) = randomProblem(c, seed: 23)
                assertClose(forward(c, x, wt, b, direct: false, winograd: tile), forward(c, x, wt, b, direct: true),
                            relativeTolerance: (tile == .f2 ? 4 : 16) * tolerance(cin: cin), "\(tile) conv \(c)")
            }
            let tiles = 2 * WinogradConv3x3.tileGrid(h: 28, w: 28, tile: tile).rows * WinogradConv3x3.tileGrid(h: 28, w: 28, tile: tile).columns
            XCTAssertGreaterThan(tiles, tile.chunkTiles, "the 28×28 case spans several chunks")
            XCTAssertNotEqual(tiles % tile.chunkTiles % 6, 0, "its last chunk fills no whole 6-row block")
        }
        let (x, wt, b) = randomProblem(Case(n: 1, h: 28, w: 28, cin: 16, cout: 16), seed: 27)
        let c = Case(n: 1, h: 28, w: 28, cin: 16, cout: 16), chosen = WinogradConv3x3.tile(h: 28, w: 28)
        XCTAssertEqual(forward(c, x, wt, b, direct: false).map(\.bitPattern),
                       forward(c, x, wt, b, direct: false, winograd: chosen).map(\.bitPattern), "Conv3x3 runs \(chosen)")
        XCTAssertFalse(WinogradConv3x3.supports(h: 6, w: 7, cin: 32, cout: 32), "below 7×7: the implicit GEMM")
        XCTAssertFalse(WinogradConv3x3.supports(h: 28, w: 28, cin: 12, cout: 16), "channels not a multiple of 8")
    }

    /// The Winograd path under every kernel set this CPU has: the same bits (the transforms only add and
    /// subtract; the GEMM kernels are bit-identical across sets), forward and backward.
    func testWinogradIsTheSameUnderEveryKernelSet() {
        for tile in [WinogradConv3x3.Tile.f2, .f4] { checkSameUnderEveryKernelSet(tile) }
    }

    private func checkSameUnderEveryKernelSet(_ tile: WinogradConv3x3.Tile) {
        let c = Case(n: 2, h: 14, w: 13, cin: 24, cout: 32)
        let (x, wt, b) = randomProblem(c, seed: 24)
        var rng = SplitMix64(seed: 25)
        let dOut = randomFloats(c.n * c.h * c.w * c.cout, &rng)
        let initial = EngineKernels.current
        defer { _ = EngineKernels.use(initial) }
        var results: [[UInt32]] = []
        for set in EngineKernels.supported {
            XCTAssertEqual(EngineKernels.use(set), set)
            var dIn = [Float](repeating: .nan, count: x.count), dW = [Float](repeating: 0, count: wt.count)
            var dB = [Float](repeating: 0, count: c.cout)
            x.withUnsafeBufferPointer { xp in wt.withUnsafeBufferPointer { wp in dOut.withUnsafeBufferPointer { g in
                dIn.withPointer { dip in dW.withPointer { dwp in dB.withPointer { dbp in
                    WinogradConv3x3.backward(dInput: dip, dWeight: dwp, dBias: dbp, dOut: g.baseAddress!,
                                             input: xp.baseAddress!, weight: wp.baseAddress!, n: c.n, h: c.h, w: c.w,
                                             cin: c.cin, cout: c.cout, workspace: Workspace(), tile: tile)
                } } }
            } } }
            results.append((forward(c, x, wt, b, direct: false, winograd: tile) + dIn + dW + dB).map(\.bitPattern))
        }
        for (i, r) in results.enumerated().dropFirst() {
            XCTAssertEqual(r, results[0], "\(tile): kernel set \(EngineKernels.supported[i]) differs from \(EngineKernels.supported[0])")
        }
    }

    /// `Conv3x3.forward` with an activation: the same bits as the linear convolution followed by
    /// `Activation.forward`, on the Winograd path (whose output transform applies the ReLU) and off it.
    func testActivationInForwardEqualsSeparatePass() {
        for c in [Case(n: 2, h: 9, w: 10, cin: 16, cout: 32), Case(n: 2, h: 5, w: 6, cin: 3, cout: 16),
                  Case(n: 1, h: 7, w: 7, cin: 8, cout: 1)] {
            let (x, wt, b) = randomProblem(c, seed: 28)
            for activation in Activation.allCases {
                var fused = [Float](repeating: .nan, count: c.n * c.h * c.w * c.cout)
                x.withUnsafeBufferPointer { i in wt.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
                    fused.withPointer { o in
                        Conv3x3.forward(out: o, input: i.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                                        n: c.n, h: c.h, w: c.w, cin: c.cin, cout: c.cout, activation: activation,
                                        workspace: Workspace())
                    }
                } } }
                var separate = forward(c, x, wt, b, direct: false)
                let count = separate.count
                separate.withPointer { activation.forward($0, count: count) }
                XCTAssertEqual(fused.map(\.bitPattern), separate.map(\.bitPattern), "\(activation), \(c)")
                if activation == .relu { XCTAssertTrue(fused.contains(0) && fused.allSatisfy { $0 >= 0 }) }
            }
        }
    }

    func testSingleOutputChannelForward() {
        for (h, w) in [(1, 1), (3, 5), (7, 7)] {
            for cin in [1, 8, 9, 17, 400] {
                let c = Case(n: 2, h: h, w: w, cin: cin, cout: 1)
                let (x, wt, b) = randomProblem(c, seed: 14)
                assertClose(forward(c, x, wt, b, direct: false), forward(c, x, wt, b, direct: true),
                            relativeTolerance: tolerance(cin: cin), "conv \(c)")
            }
        }
    }

    func testSingleInputChannelForward() {
        for (h, w) in [(1, 1), (3, 5), (7, 7)] {
            for cout in [2, 8, 9, 17, 32] {
                let c = Case(n: 2, h: h, w: w, cin: 1, cout: cout)
                let (x, wt, b) = randomProblem(c, seed: 15)
                assertClose(forward(c, x, wt, b, direct: false), forward(c, x, wt, b, direct: true),
                            relativeTolerance: tolerance(cin: 1), "conv \(c)")
            }
        }
    }

    /// With cin = 400 a run is 24 pixels, so a 2×5×7 batch (70 pixels) takes three runs, the last partial.
    func testForwardSplitIntoSeveralPixelRuns() {
        XCTAssertEqual(Conv3x3.pixelsPerRun(cin: 400), 24)
        XCTAssertEqual(Conv3x3.pixelsPerRun(cin: 1), 10920)
        XCTAssertEqual(Conv3x3.pixelsPerRun(cin: 100_000), 6, "at least one GEMM row tile")
        for cout in [1, 3] {
            let c = Case(n: 2, h: 5, w: 7, cin: 400, cout: cout)
            let (x, wt, b) = randomProblem(c, seed: 11)
            assertClose(forward(c, x, wt, b, direct: false), forward(c, x, wt, b, direct: true),
                        relativeTolerance: tolerance(cin: 400), "conv \(c)")
        }
    }

    /// One workspace reused across calls of different sizes (as a `ForwardPass` does) gives the same result.
    func testWorkspaceReuseAcrossSizes() {
        let ws = Workspace()
        let small = Case(n: 1, h: 3, w: 3, cin: 2, cout: 2), large = Case(n: 2, h: 6, w: 5, cin: 8, cout: 3)
        let p1 = randomProblem(small, seed: 12), p2 = randomProblem(large, seed: 13)
        let a1 = forward(small, p1.input, p1.weight, p1.bias, direct: false, workspace: ws)
        let a2 = forward(large, p2.input, p2.weight, p2.bias, direct: false, workspace: ws)
        let a3 = forward(small, p1.input, p1.weight, p1.bias, direct: false, workspace: ws)
        XCTAssertEqual(a1, a3)
        assertClose(a2, forward(large, p2.input, p2.weight, p2.bias, direct: true), relativeTolerance: 2e-6)
    }

    // MARK: Backward against the definition

    /// The three gradients of L = Σ dOut ⊙ out, summed in Double straight from the definition.
    private func directBackward(_ c: Case, input: [Float], weight: [Float], dOut: [Float])
        -> (dInput: [Float], dWeight: [Float], dBias: [Float]) {
        var dIn = [Double](repeating: 0, count: input.count)
        var dW = [Double](repeating: 0, count: weight.count)
        var dB = [Double](repeating: 0, count: c.cout)
        for b in 0..<c.n { for y in 0..<c.h { for x in 0..<c.w { for co in 0..<c.cout {
            let g = Double(dOut[((b * c.h + y) * c.w + x) * c.cout + co])
            dB[co] += g
            for ky in 0..<3 { for kx in 0..<3 {
                let yy = y + ky - 1, xx = x + kx - 1
                guard yy >= 0, yy < c.h, xx >= 0, xx < c.w else { continue }
                for ci in 0..<c.cin {
                    let i = ((b * c.h + yy) * c.w + xx) * c.cin + ci, k = ((ky * 3 + kx) * c.cin + ci) * c.cout + co
                    dIn[i] += g * Double(weight[k])
                    dW[k] += g * Double(input[i])
                }
            } }
        } } } }
        return (dIn.map(Float.init), dW.map(Float.init), dB.map(Float.init))
    }

    /// `backward` writes dInput (over garbage), adds into dWeight and dBias (over their previous contents),
    /// and gives the same parameter gradients without dInput.
    private func checkBackward(_ c: Case, seed: UInt64, tolerance: Float = 1e-5, winograd: WinogradConv3x3.Tile? = nil,
                               file: StaticString = #filePath, line: UInt = #line) {
        var (x, wt, _) = randomProblem(c, seed: seed)
        var rng = SplitMix64(seed: seed, stream: 99)
        let dOut = randomFloats(c.n * c.h * c.w * c.cout, &rng)
        let prior = randomFloats(wt.count + c.cout, &rng)
        let expected = directBackward(c, input: x, weight: wt, dOut: dOut)
        for withInput in [true, false] {
            var dIn = [Float](repeating: .nan, count: x.count)
            var dW = Array(prior[0..<wt.count]), dB = Array(prior[wt.count...])
            let ws = Workspace()
            x.withPointer { xp in wt.withPointer { wp in dW.withPointer { dwp in dB.withPointer { dbp in
                dIn.withPointer { dip in dOut.withUnsafeBufferPointer { g in
                    if let winograd {
                        WinogradConv3x3.backward(dInput: withInput ? dip : nil, dWeight: dwp, dBias: dbp, dOut: g.baseAddress!,
                                                 input: xp, weight: wp, n: c.n, h: c.h, w: c.w, cin: c.cin, cout: c.cout,
                                                 workspace: ws, tile: winograd)
                    } else {
                        Conv3x3.backward(dInput: withInput ? dip : nil, dWeight: dwp, dBias: dbp, dOut: g.baseAddress!,
                                         input: xp, weight: wp, n: c.n, h: c.h, w: c.w, cin: c.cin, cout: c.cout,
                                         workspace: ws)
                    }
                } }
            } } } }
            if withInput {
                assertClose(dIn, expected.dInput, relativeTolerance: tolerance, "dInput \(c)", file: file, line: line)
            } else {
                XCTAssertTrue(dIn.allSatisfy { $0.isNaN }, "dInput nil: nothing written", file: file, line: line)
            }
            assertClose(zip(dW, prior).map { $0 - $1 }, expected.dWeight, relativeTolerance: tolerance,
                        "dWeight \(c)", file: file, line: line)
            assertClose(zip(dB, prior[wt.count...]).map { $0 - $1 }, expected.dBias, relativeTolerance: tolerance,
                        "dBias \(c)", file: file, line: line)
        }
    }

    func testBackwardEqualsDefinition() {
        for (h, w) in [(1, 1), (3, 5), (8, 8)] {
            for (cin, cout) in [(1, 1), (1, 3), (1, 17), (3, 8), (8, 1), (8, 3), (17, 1), (9, 2)] {
                checkBackward(Case(n: 2, h: h, w: w, cin: cin, cout: cout), seed: 20)
            }
        }
    }

    /// Winograd shapes, both algorithms: the input gradient through the flipped kernels, the weight
    /// gradient through the transformed tiles, with partial tiles at the edges and several chunks of tiles
    /// (F(2×2): 3 × 7 × 7 = 147 > 96; F(4×4): 3 × 4 × 4 = 48 > 36).
    func testWinogradBackwardEqualsDefinition() {
        for tile in [WinogradConv3x3.Tile.f2, .f4] {
            for c in [Case(n: 1, h: 8, w: 8, cin: 16, cout: 16), Case(n: 2, h: 9, w: 11, cin: 16, cout: 24),
                      Case(n: 3, h: 14, w: 13, cin: 24, cout: 16), Case(n: 2, h: 7, w: 7, cin: 16, cout: 32)] {
                XCTAssertTrue(WinogradConv3x3.supports(h: c.h, w: c.w, cin: c.cin, cout: c.cout))
                checkBackward(c, seed: 26, tolerance: tile == .f2 ? 4e-5 : 1.6e-4, winograd: tile)
            }
        }
    }

    /// Backward over several pixel runs: dWeight accumulates across runs and col2im scatters across run
    /// boundaries (a run ends mid-row).
    func testBackwardSplitIntoSeveralPixelRuns() {
        checkBackward(Case(n: 2, h: 5, w: 7, cin: 400, cout: 2), seed: 21)
        checkBackward(Case(n: 2, h: 5, w: 7, cin: 400, cout: 1), seed: 22)
    }
}
