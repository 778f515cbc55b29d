import AECBase
import XCTest
@testable import AECNet

/// Central finite differences against every backward pass (Caffe's `GradientChecker`, in spirit).
///
/// Each layer is checked with a scalar loss L = Σ r ⊙ out (random r), so ∂L/∂out = r is what its backward
/// receives. L is summed in Double from the Float32 forward, and the difference quotient divides by the
/// perturbation actually stored in Float. Points where the loss has a kink inside [θ − ε, θ + ε] (a ReLU
/// input or a max-pool near-tie switching) are skipped, and each check says how many it kept.
final class GradientCheckTests: XCTestCase {
    /// One point of a gradient check.
    struct Point { var label: String; var analytic: Double; var numeric: Double; var tolerance: Double }

    /// Fails on every point with |numeric − analytic| > tolerance (reporting at most 10).
    private func assertGradients(_ points: [Point], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(points.isEmpty, "\(what): nothing checked", file: file, line: line)
        let bad = points.filter { !(abs($0.numeric - $0.analytic) <= $0.tolerance) }
        for p in bad.prefix(10) {
            XCTFail("\(what) \(p.label): analytic \(p.analytic), finite difference \(p.numeric) "
                    + "(error \(abs(p.numeric - p.analytic)) > \(p.tolerance))", file: file, line: line)
        }
        if bad.count > 10 { XCTFail("\(what): \(bad.count) points fail in all", file: file, line: line) }
    }

    /// (L(x + ε·e_i) − L(x − ε·e_i)) / (actual 2ε), restoring x[i].
    private func centralDifference(_ x: inout [Float], _ i: Int, eps: Float, _ loss: ([Float]) -> Double) -> Double {
        let x0 = x[i]
        x[i] = x0 + eps; let plus = loss(x); let hi = x[i]
        x[i] = x0 - eps; let minus = loss(x); let lo = x[i]
        x[i] = x0
        return (plus - minus) / (Double(hi) - Double(lo))
    }

    // MARK: Conv3x3

    /// L = Σ r ⊙ conv(x; W, b) is linear in each of x, W and b, so central differences are exact up to the
    /// Float32 rounding of the forward: with outputs of size O(1), ε = 1e-2 leaves an error below 1e-4,
    /// against gradients of size O(1). Tolerance: 1e-3 relative + 1e-4 absolute.
    func testConvolutionBackward() {
        checkConvolutionBackward(n: 2, h: 4, w: 5, cin: 3, cout: 2, seed: 40)
    }

    /// The same check on a shape that takes the Winograd path (16 channels each way, 8×9: a last column of
    /// partial tiles), under both algorithms. Its loss sums 1,152 outputs of 144 terms each, and moving one
    /// input changes the rounding of every output of the tiles that read it: F(4×4, 3×3) rounds to ~7e-7
    /// rms per output (measured), which makes the loss move by ~1e-5 at random. The loss is linear in x
    /// and in the weights, so a large ε is exact: ε = 1 keeps that noise below 1e-5 of a gradient.
    func testWinogradConvolutionBackward() {
        XCTAssertTrue(WinogradConv3x3.supports(h: 8, w: 9, cin: 16, cout: 16))
        for tile in [WinogradConv3x3.Tile.f2, .f4] {
            checkConvolutionBackward(n: 1, h: 8, w: 9, cin: 16, cout: 16, eps: 1, seed: 41, winograd: tile)
        }
    }

    /// `winograd`: that algorithm, called directly, instead of the one `Conv3x3` chooses.
    private func checkConvolutionBackward(n: Int, h: Int, w: Int, cin: Int, cout: Int, eps: Float = 1e-2, seed: UInt64,
                                          winograd: WinogradConv3x3.Tile? = nil,
                                          file: StaticString = #filePath, line: UInt = #line) {
        var rng = SplitMix64(seed: seed)
        var x = randomFloats(n * h * w * cin, &rng), weight = randomFloats(9 * cin * cout, &rng)
        var bias = randomFloats(cout, &rng)
        let r = randomFloats(n * h * w * cout, &rng)
        let ws = Workspace()
        func loss(_ x: [Float], _ weight: [Float], _ bias: [Float]) -> Double {
            var out = [Float](repeating: 0, count: r.count)
            x.withUnsafeBufferPointer { xp in weight.withUnsafeBufferPointer { wp in bias.withUnsafeBufferPointer { bp in
                out.withPointer { winograd != nil
                    ? WinogradConv3x3.forward(out: $0, input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                                              n: n, h: h, w: w, cin: cin, cout: cout, workspace: ws, tile: winograd)
                    : Conv3x3.forward(out: $0, input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                                      n: n, h: h, w: w, cin: cin, cout: cout, workspace: ws) }
            } } }
            return out.withUnsafeBufferPointer { weightedSum(r, $0.baseAddress!) }
        }
        var dIn = [Float](repeating: .nan, count: x.count)
        var dW = [Float](repeating: 0, count: weight.count), dB = [Float](repeating: 0, count: cout)
        x.withPointer { xp in weight.withPointer { wp in dIn.withPointer { dip in dW.withPointer { dwp in dB.withPointer { dbp in
            r.withUnsafeBufferPointer { winograd != nil
                ? WinogradConv3x3.backward(dInput: dip, dWeight: dwp, dBias: dbp, dOut: $0.baseAddress!, input: xp,
                                           weight: wp, n: n, h: h, w: w, cin: cin, cout: cout, workspace: ws, tile: winograd)
                : Conv3x3.backward(dInput: dip, dWeight: dwp, dBias: dbp, dOut: $0.baseAddress!, input: xp,
                                   weight: wp, n: n, h: h, w: w, cin: cin, cout: cout, workspace: ws) }
        } } } } }
        func tol(_ g: Float) -> Double { 1e-3 * Double(abs(g)) + 1e-4 }
        assertGradients(x.indices.map { i in
            Point(label: "dInput[\(i)]", analytic: Double(dIn[i]),
                  numeric: centralDifference(&x, i, eps: eps) { loss($0, weight, bias) }, tolerance: tol(dIn[i]))
        }, "Conv3x3", file: file, line: line)
        assertGradients(weight.indices.map { i in
            Point(label: "dWeight[\(i)]", analytic: Double(dW[i]),
                  numeric: centralDifference(&weight, i, eps: eps) { loss(x, $0, bias) }, tolerance: tol(dW[i]))
        }, "Conv3x3", file: file, line: line)
        assertGradients(bias.indices.map { i in
            Point(label: "dBias[\(i)]", analytic: Double(dB[i]),
                  numeric: centralDifference(&bias, i, eps: eps) { loss(x, weight, $0) }, tolerance: tol(dB[i]))
        }, "Conv3x3", file: file, line: line)
    }

    // MARK: Pooling

    /// Max-pool is piecewise linear: exact differences away from ties. A point is skipped when another
    /// value of its window lies within 2ε (the perturbation could change the winner). A few exact ties are
    /// planted to exercise the skip; most points must still be checked.
    func testMaxPoolBackward() {
        let n = 2, h = 4, w = 6, c = 3, eps: Float = 1e-2
        var rng = SplitMix64(seed: 41)
        var x = randomFloats(n * h * w * c, &rng)
        x[c] = x[0]; x[w * c + 1] = x[1]            // ties in the first window of channels 0 and 1
        let count = n * (h / 2) * (w / 2) * c
        let r = randomFloats(count, &rng)
        func loss(_ x: [Float]) -> Double {
            var out = [Float](repeating: 0, count: count), argmax = [UInt8](repeating: 0, count: count)
            x.withUnsafeBufferPointer { xp in out.withPointer { o in argmax.withUnsafeMutableBufferPointer { a in
                MaxPool2x2.forward(out: o, argmax: a.baseAddress!, input: xp.baseAddress!, n: n, h: h, w: w, c: c)
            } } }
            return out.withUnsafeBufferPointer { weightedSum(r, $0.baseAddress!) }
        }
        var out = [Float](repeating: 0, count: count), argmax = [UInt8](repeating: 0, count: count)
        var dIn = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { xp in out.withPointer { o in argmax.withUnsafeMutableBufferPointer { a in
            MaxPool2x2.forward(out: o, argmax: a.baseAddress!, input: xp.baseAddress!, n: n, h: h, w: w, c: c)
            r.withUnsafeBufferPointer { g in dIn.withPointer {
                MaxPool2x2.backward(dInput: $0, dOut: g.baseAddress!, argmax: a.baseAddress!, n: n, h: h, w: w, c: c)
            } }
        } } }
        var points: [Point] = []
        for b in 0..<n { for y in 0..<h { for xx in 0..<w { for ch in 0..<c {
            let i = ((b * h + y) * w + xx) * c + ch
            let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map { dy, dx in
                x[((b * h + (y & ~1) + dy) * w + (xx & ~1) + dx) * c + ch]
            }
            let nearTie = window.filter { abs($0 - x[i]) < 2 * eps }.count > 1
            if nearTie { continue }
            points.append(Point(label: "dInput[\(i)]", analytic: Double(dIn[i]),
                                numeric: centralDifference(&x, i, eps: eps, loss), tolerance: 1e-3 * Double(abs(dIn[i])) + 1e-5))
        } } } }
        XCTAssertGreaterThan(points.count, x.count * 3 / 4, "most points are away from ties")
        XCTAssertLessThan(points.count, x.count, "the planted ties are skipped")
        assertGradients(points, "MaxPool2x2")
    }

    /// Upsampling is linear: exact differences. Tolerance 1e-4 relative + 1e-5.
    func testUpsampleBackward() {
        let n = 2, h = 3, w = 2, c = 3, eps: Float = 1e-2
        var rng = SplitMix64(seed: 42)
        var x = randomFloats(n * h * w * c, &rng)
        let r = randomFloats(4 * x.count, &rng)
        func loss(_ x: [Float]) -> Double {
            var out = [Float](repeating: 0, count: r.count)
            x.withUnsafeBufferPointer { xp in out.withPointer { Upsample2x.forward(out: $0, input: xp.baseAddress!, n: n, h: h, w: w, c: c) } }
            return out.withUnsafeBufferPointer { weightedSum(r, $0.baseAddress!) }
        }
        var dIn = [Float](repeating: .nan, count: x.count)
        r.withUnsafeBufferPointer { g in dIn.withPointer { Upsample2x.backward(dInput: $0, dOut: g.baseAddress!, n: n, h: h, w: w, c: c) } }
        assertGradients(x.indices.map { i in
            Point(label: "dInput[\(i)]", analytic: Double(dIn[i]), numeric: centralDifference(&x, i, eps: eps, loss),
                  tolerance: 1e-4 * Double(abs(dIn[i])) + 1e-5)
        }, "Upsample2x")
    }

    // MARK: Activations and loss

    /// Each activation on x ∈ [−3, 3] (ReLU points within 2ε of 0 skipped). Backward is fed the output y,
    /// as the network does. With ε = 1e-3 the truncation error ε²·f‴/6 is below 1e-7 and the Float rounding
    /// of f (≤ 1e-7) divided by 2ε below 1e-4: tolerance 1e-3 relative + 2e-4 absolute (gradients are O(1)).
    func testActivationBackward() {
        let eps: Float = 1e-3
        for activation in Activation.allCases {
            var rng = SplitMix64(seed: 43, stream: UInt64(activation.rawValue))
            var x = randomFloats(64, &rng, in: -3...3)
            x[0] = 0.0005                           // a point at the ReLU kink: skipped for ReLU
            let r = randomFloats(x.count, &rng)
            func loss(_ x: [Float]) -> Double {
                var y = x
                y.withPointer { activation.forward($0, count: x.count) }
                return y.withUnsafeBufferPointer { weightedSum(r, $0.baseAddress!) }
            }
            var y = x
            y.withPointer { activation.forward($0, count: x.count) }
            var grad = r
            y.withUnsafeBufferPointer { yp in grad.withPointer { activation.backward($0, output: yp.baseAddress!, count: x.count) } }
            let points = x.indices.compactMap { i -> Point? in
                if activation == .relu && abs(x[i]) < 2 * eps { return nil }
                return Point(label: "x = \(x[i])", analytic: Double(grad[i]), numeric: centralDifference(&x, i, eps: eps, loss),
                             tolerance: 1e-3 * Double(abs(grad[i])) + 2e-4)
            }
            XCTAssertEqual(points.count, activation == .relu ? x.count - 1 : x.count)
            assertGradients(points, "\(activation)")
        }
    }

    /// L = Σ (pred − target)² / N with scale 1/N: quadratic, so central differences are exact up to rounding.
    func testMSELossBackward() {
        let count = 50, eps: Float = 1e-2
        var rng = SplitMix64(seed: 44)
        var pred = randomFloats(count, &rng, in: 0...1)
        let target = randomFloats(count, &rng, in: 0...1)
        func loss(_ p: [Float]) -> Double {
            withPointers(p, target) { MSELoss.sumOfSquares(pred: $0, target: $1, count: count) } / Double(count)
        }
        var d = [Float](repeating: .nan, count: count)
        withPointers(pred, target) { p, t in d.withPointer { MSELoss.backward(dPred: $0, pred: p, target: t, count: count, scale: 1 / Float(count)) } }
        assertGradients(pred.indices.map { i in
            Point(label: "dPred[\(i)]", analytic: Double(d[i]), numeric: centralDifference(&pred, i, eps: eps, loss),
                  tolerance: 1e-4 * Double(abs(d[i])) + 1e-7)
        }, "MSELoss")
    }

    // MARK: The whole autoencoder

    /// Parameters in which every pre-activation is positive (positive weights averaging 1/fan_in, biases in
    /// [0.05, 0.15], inputs in [0, 1]): no ReLU is at a kink, only max-pool switches remain, and the
    /// gradients of all layers are of similar size. A well-conditioned point for a strict check.
    private func positiveParameters(_ a: Architecture, _ rng: inout SplitMix64) -> [Float] {
        var p = [Float](repeating: 0, count: a.parameterLayout.count)
        for (layer, offset) in zip(a.layers, a.parameterLayout.offsets) {
            guard case .conv(let cin, let cout, _) = layer, let offset else { continue }
            for i in 0..<(9 * cin * cout) { p[offset.weight + i] = (0.2 + 1.6 * rng.nextUnitFloat()) / Float(9 * cin) }
            for i in 0..<cout { p[offset.bias + i] = 0.05 + 0.1 * rng.nextUnitFloat() }
        }
        return p
    }

    /// Which ReLU outputs are positive and which max-pool inputs won: if this changes between θ + ε and
    /// θ − ε, the difference straddles a kink.
    private func kinkSignature(_ pass: ForwardPass, _ a: Architecture, n: Int) -> [UInt8] {
        var s: [UInt8] = []
        for (i, layer) in a.layers.enumerated() {
            let shape = a.shapes[i], count = n * shape.h * shape.w * shape.c
            switch layer {
            case .conv(_, _, .relu): for j in 0..<count { s.append(pass.outputs[i][j] > 0 ? 1 : 0) }
            case .maxPool: for j in 0..<count { s.append(pass.argmax[i]![j]) }
            default: break
            }
        }
        return s
    }

    /// Checks `Autoencoder.backward` on L = MSE(output, input) + Σ r ⊙ code, the MSE gradient coming in
    /// through `outputGradient` (MSELoss.backward, scale 1/(n·784)) and r through `codeGradient`, for
    /// `perLayer` random parameters of every conv layer (and its first bias), skipping points whose
    /// difference straddles a kink (a ReLU output or a max-pool winner differs between θ + ε and θ − ε).
    ///
    /// Tolerance per point: `relative`·max(|analytic|, |numeric|) plus a floor for the rounding noise of
    /// the Float32 forward, which the difference quotient divides by 2ε. Two kinds of floor:
    /// - `roundingFloor`: u·S/ε with u = 2⁻²⁴ and S = Σ |∂L/∂out|·|out| + Σ |r|·|code|, the size of an
    ///   error of one ulp in every output, all adding up (measured errors are 10–40× smaller);
    /// - `layerFloor`: that fraction of the largest |analytic| among the layer's checked points, i.e. the
    ///   error measured against the scale of the layer's gradient, as for the PyTorch comparison.
    private func checkAutoencoder(codeChannels: Int, positive: Bool, eps: Float, relative: Double,
                                  roundingFloor: Bool, layerFloor: Double, perLayer: Int, seed: UInt64,
                                  file: StaticString = #filePath, line: UInt = #line) {
        let a = Architecture(w1: 2, w2: 3, w3: 2, codeChannels: codeChannels), n = 2, pixels = n * 784
        var rng = SplitMix64(seed: seed)
        var model = positive ? Autoencoder(architecture: a, parameters: positiveParameters(a, &rng))
                             : Autoencoder(architecture: a, seed: seed)
        let pass = ForwardPass(architecture: a, capacity: n)
        for i in 0..<pixels { pass.input[i] = rng.nextUnitFloat() }
        let r = randomFloats(n * a.codeCount, &rng, in: -0.01...0.01)

        func loss(decoderOnly: Bool) -> Double {
            if decoderOnly { model.decode(pass, n: n) } else { model.forward(pass, n: n) }
            return MSELoss.sumOfSquares(pred: pass.output, target: pass.input, count: pixels) / Double(pixels)
                + weightedSum(r, pass.code)
        }

        // The analytic gradient, and the rounding scale S, at θ.
        _ = loss(decoderOnly: false)
        var s = 0.0
        for i in 0..<pixels { s += 2 * abs(Double(pass.output[i] - pass.input[i])) / Double(pixels) * Double(pass.output[i]) }
        for i in r.indices { s += Double(abs(r[i])) * Double(pass.code[i]) }
        let noise = roundingFloor ? 0x1p-24 * s / Double(eps) : 0
        MSELoss.backward(dPred: pass.outputGradient, pred: pass.output, target: pass.input, count: pixels,
                         scale: 1 / Float(pixels))
        var gradients = [Float](repeating: 0, count: a.parameterLayout.count)
        gradients.withPointer { g in r.withUnsafeBufferPointer { model.backward(pass, n: n, gradients: g, codeGradient: $0.baseAddress!) } }

        // Layers in order; from the first decoder layer on, a difference needs only rerun the decoder.
        var points: [Point] = [], sampled = 0
        var ranDecoderOnly = false
        for (li, (layer, offset)) in zip(a.layers, a.parameterLayout.offsets).enumerated() {
            guard case .conv(let cin, let cout, _) = layer, let offset else { continue }
            let decoderOnly = li > a.codeLayer
            if decoderOnly && !ranDecoderOnly { _ = loss(decoderOnly: false); ranDecoderOnly = true }
            let size = 9 * cin * cout + cout
            let indices = Set(randomSubset(perLayer, of: size, &rng).map { offset.weight + $0 } + [offset.bias])
            var layerPoints: [(label: String, analytic: Double, numeric: Double)] = []
            for j in indices.sorted() {
                sampled += 1
                let p0 = model.parameters[j]
                model.parameters[j] = p0 + eps
                let plus = loss(decoderOnly: decoderOnly), kinksPlus = kinkSignature(pass, a, n: n), hi = model.parameters[j]
                model.parameters[j] = p0 - eps
                let minus = loss(decoderOnly: decoderOnly), kinksMinus = kinkSignature(pass, a, n: n), lo = model.parameters[j]
                model.parameters[j] = p0
                if kinksPlus != kinksMinus { continue }
                let name = j < offset.bias ? "weight[\(j - offset.weight)]" : "bias[\(j - offset.bias)]"
                layerPoints.append(("layer \(li) \(name)", Double(gradients[j]), (plus - minus) / (Double(hi) - Double(lo))))
            }
            let scale = layerPoints.map { abs($0.analytic) }.max() ?? 0
            points += layerPoints.map {
                Point(label: $0.label, analytic: $0.analytic, numeric: $0.numeric,
                      tolerance: relative * max(abs($0.analytic), abs($0.numeric)) + noise + layerFloor * scale)
            }
        }
        let what = "Autoencoder \(a) (\(positive ? "positive" : "He-initialised") parameters, ε \(eps))"
        if ProcessInfo.processInfo.environment["AEC_DEBUG_FD"] == "1" {
            print("\(what): \(points.count) of \(sampled) points away from kinks; rounding floor \(noise)")
            for p in points { print(p.label, p.analytic, p.numeric - p.analytic, p.tolerance) }
        }
        // Most sampled points must be free of kinks, or the check would say little.
        XCTAssertGreaterThanOrEqual(points.count, sampled / 3, "\(what): only \(points.count) of \(sampled) points away from kinks",
                                    file: file, line: line)
        assertGradients(points, what, file: file, line: line)
        // And the check must have teeth: the rounding floor is small next to typical gradients.
        let nonzero = points.map { abs($0.analytic) }.filter { $0 > 0 }.sorted()
        let typical = nonzero.isEmpty ? 0 : nonzero[nonzero.count / 2]
        XCTAssertLessThan(noise, 0.1 * typical, "\(what): rounding floor \(noise) vs median gradient \(typical)", file: file, line: line)
    }

    /// Parameters checked per conv layer: 40 (and the first bias), or every parameter with
    /// AEC_HEAVY_TESTS=1. Each costs two forward passes of the 2-tile batch: ~1 ms with AECNet optimized
    /// (Package.swift builds it at -O even in debug builds), ~40 ms unoptimized.
    private var perLayer: Int { heavyTestsEnabled ? Int.max : 40 }

    /// Smooth regime, code of 1 channel: ε = 1e-2 (truncation error measured < 2e-4 relative), 1e-3
    /// relative tolerance per point plus the rounding floor (~2e-3 of a typical gradient here).
    func testAutoencoderGradientPositiveParameters() {
        checkAutoencoder(codeChannels: 1, positive: true, eps: 1e-2, relative: 1e-3, roundingFloor: true,
                         layerFloor: 0, perLayer: perLayer, seed: 50)
    }

    /// He-initialised weights (about half the ReLUs off, some channels dead), code of 2 channels. ε = 1e-3
    /// so that fewer points straddle a kink; gradients are small (median ~2e-4) and the u·S/ε bound would
    /// swamp them, so the floor is 1% of the layer's largest gradient (measured errors: ≤ 0.3%), with 2e-3
    /// relative per point.
    func testAutoencoderGradientHeInitialised() {
        checkAutoencoder(codeChannels: 2, positive: false, eps: 1e-3, relative: 2e-3, roundingFloor: false,
                         layerFloor: 1e-2, perLayer: perLayer, seed: 51)
    }

    /// The two other combinations of code width and regime, every parameter of every layer.
    func testAutoencoderGradientOtherCombinationsHeavy() throws {
        try requireHeavyTests("gradient check of every parameter, other code widths")
        checkAutoencoder(codeChannels: 2, positive: true, eps: 1e-2, relative: 1e-3, roundingFloor: true,
                         layerFloor: 0, perLayer: .max, seed: 52)
        checkAutoencoder(codeChannels: 1, positive: false, eps: 1e-3, relative: 2e-3, roundingFloor: false,
                         layerFloor: 1e-2, perLayer: .max, seed: 53)
    }
}
