import AECBase
import Foundation
import XCTest
@testable import AECNet

/// Tiny inputs whose outputs can be checked by hand.
final class LayerFixtureTests: XCTestCase {
    /// The 4×4 ramp 0…15 (one image, one channel):
    ///
    ///      0  1  2  3
    ///      4  5  6  7
    ///      8  9 10 11
    ///     12 13 14 15
    let ramp: [Float] = (0..<16).map(Float.init)

    private func maxPool(_ input: [Float], n: Int = 1, h: Int, w: Int, c: Int) -> (out: [Float], argmax: [UInt8]) {
        let count = n * (h / 2) * (w / 2) * c
        var out = [Float](repeating: .nan, count: count), argmax = [UInt8](repeating: 99, count: count)
        input.withUnsafeBufferPointer { i in
            out.withPointer { o in argmax.withUnsafeMutableBufferPointer { a in
                MaxPool2x2.forward(out: o, argmax: a.baseAddress!, input: i.baseAddress!, n: n, h: h, w: w, c: c)
            } }
        }
        return (out, argmax)
    }

    private func maxPoolBackward(_ dOut: [Float], argmax: [UInt8], n: Int = 1, h: Int, w: Int, c: Int) -> [Float] {
        var dIn = [Float](repeating: .nan, count: n * h * w * c)
        dOut.withUnsafeBufferPointer { g in argmax.withUnsafeBufferPointer { a in
            dIn.withPointer { MaxPool2x2.backward(dInput: $0, dOut: g.baseAddress!, argmax: a.baseAddress!,
                                                  n: n, h: h, w: w, c: c) }
        } }
        return dIn
    }

    func testMaxPoolOfRamp() {
        let (out, argmax) = maxPool(ramp, h: 4, w: 4, c: 1)
        XCTAssertEqual(out, [5, 7, 13, 15])
        XCTAssertEqual(argmax, [3, 3, 3, 3], "the bottom-right of every window wins")
        let dIn = maxPoolBackward([1, 2, 3, 4], argmax: argmax, h: 4, w: 4, c: 1)
        XCTAssertEqual(dIn, [0, 0, 0, 0,  0, 1, 0, 2,  0, 0, 0, 0,  0, 3, 0, 4])
    }

    /// Two channels interleaved (channels-last): channel 0 the ramp, channel 1 the reversed ramp, whose
    /// maxima are at the top-left of every window. A 2-image batch: the second image is the first + 100.
    func testMaxPoolChannelsLastAndBatch() {
        var input: [Float] = []
        for b in 0..<2 { for v in ramp { input += [v + Float(100 * b), 15 - v + Float(100 * b)] } }
        let (out, argmax) = maxPool(input, n: 2, h: 4, w: 4, c: 2)
        XCTAssertEqual(out, [5, 15, 7, 13, 13, 7, 15, 5, 105, 115, 107, 113, 113, 107, 115, 105])
        XCTAssertEqual(argmax, [3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0])
    }

    /// Ties go to the first maximum in the order (0,0), (0,1), (1,0), (1,1), and backward follows it.
    func testMaxPoolTiesGoToFirstMaximum() {
        // Four 2×2 windows side by side in a 2×8 image: all equal; max at 1 and 2 tied; at 2 and 3; at 0 and 3.
        let input: [Float] = [7, 7,  1, 9,  1, 2,  8, 2,
                              7, 7,  9, 3,  5, 5,  4, 8]
        let (out, argmax) = maxPool(input, h: 2, w: 8, c: 1)
        XCTAssertEqual(out, [7, 9, 5, 8])
        XCTAssertEqual(argmax, [0, 1, 2, 0])
        let dIn = maxPoolBackward([1, 2, 3, 4], argmax: argmax, h: 2, w: 8, c: 1)
        XCTAssertEqual(dIn, [1, 0,  0, 2,  0, 0,  4, 0,
                             0, 0,  0, 0,  3, 0,  0, 0])
    }

    func testMaxPoolNegativeValues() {
        let (out, argmax) = maxPool([-4, -3, -2, -1], h: 2, w: 2, c: 1)
        XCTAssertEqual(out, [-1]); XCTAssertEqual(argmax, [3])
        let (out2, argmax2) = maxPool([-1, -3, -2, -4], h: 2, w: 2, c: 1)
        XCTAssertEqual(out2, [-1]); XCTAssertEqual(argmax2, [0])
    }

    func testUpsampleOf2x2() {
        var out = [Float](repeating: .nan, count: 16)
        let input: [Float] = [1, 2, 3, 4]
        input.withUnsafeBufferPointer { i in out.withPointer { Upsample2x.forward(out: $0, input: i.baseAddress!, n: 1, h: 2, w: 2, c: 1) } }
        XCTAssertEqual(out, [1, 1, 2, 2,
                             1, 1, 2, 2,
                             3, 3, 4, 4,
                             3, 3, 4, 4])
        // Backward sums each 2×2 block of the ramp: 0+1+4+5, 2+3+6+7, 8+9+12+13, 10+11+14+15.
        var dIn = [Float](repeating: .nan, count: 4)
        ramp.withUnsafeBufferPointer { g in dIn.withPointer { Upsample2x.backward(dInput: $0, dOut: g.baseAddress!, n: 1, h: 2, w: 2, c: 1) } }
        XCTAssertEqual(dIn, [10, 18, 42, 50])
    }

    func testUpsampleChannelsLastBatch() {
        // n = 2, 1×1 images with 2 channels → 2×2 images.
        let input: [Float] = [1, 2, 3, 4]
        var out = [Float](repeating: .nan, count: 16)
        input.withUnsafeBufferPointer { i in out.withPointer { Upsample2x.forward(out: $0, input: i.baseAddress!, n: 2, h: 1, w: 1, c: 2) } }
        XCTAssertEqual(out, [1, 2, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 3, 4])
    }

    private func conv(_ input: [Float], weight: [Float], bias: [Float], n: Int = 1, h: Int, w: Int, cin: Int, cout: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: n * h * w * cout)
        input.withUnsafeBufferPointer { i in weight.withUnsafeBufferPointer { wt in bias.withUnsafeBufferPointer { b in
            out.withPointer { Conv3x3.forward(out: $0, input: i.baseAddress!, weight: wt.baseAddress!, bias: b.baseAddress!,
                                              n: n, h: h, w: w, cin: cin, cout: cout, workspace: Workspace()) }
        } } }
        return out
    }

    /// A 1 at the kernel centre, from input channel c to output channel c, is the identity.
    func testCentreTapKernelIsIdentity() {
        let c = 3
        var weight = [Float](repeating: 0, count: 9 * c * c)
        for ch in 0..<c { weight[(4 * c + ch) * c + ch] = 1 }   // [ky = 1, kx = 1, ci = ch, co = ch]
        var rng = SplitMix64(seed: 30)
        let input = randomFloats(2 * 5 * 4 * c, &rng)
        XCTAssertEqual(conv(input, weight: weight, bias: [0, 0, 0], n: 2, h: 5, w: 4, cin: c, cout: c), input)
    }

    /// A 1 at kernel position (ky, kx) = (0, 1) reads the pixel above: the image shifts down one row, with
    /// zero padding entering at the top.
    func testOffCentreTapShifts() {
        var weight = [Float](repeating: 0, count: 9)
        weight[1] = 1
        let out = conv(ramp, weight: weight, bias: [0], h: 4, w: 4, cin: 1, cout: 1)
        XCTAssertEqual(out, [0, 0, 0, 0,  0, 1, 2, 3,  4, 5, 6, 7,  8, 9, 10, 11])
    }

    /// All-ones 3×3 kernel over an all-ones image counts the in-image neighbours (zero padding): 4 at a
    /// corner, 6 on an edge, 9 inside; plus the bias 0.5.
    func testAllOnesKernelCountsNeighbours() {
        let out = conv([Float](repeating: 1, count: 12), weight: [Float](repeating: 1, count: 9), bias: [0.5],
                       h: 3, w: 4, cin: 1, cout: 1)
        let counts: [Float] = [4, 6, 6, 4,  6, 9, 9, 6,  4, 6, 6, 4]
        XCTAssertEqual(out, counts.map { $0 + 0.5 })
    }

    /// Two input channels summed into two outputs with different weights and biases.
    func testChannelMixing() {
        // 1×1 image, cin 2, cout 2: only the centre tap sees the pixel. out[co] = Σ_ci in[ci]·W[4, ci, co] + b[co].
        var weight = [Float](repeating: 100, count: 9 * 4)   // off-centre taps only ever see padding
        weight[16] = 1; weight[17] = 2; weight[18] = 3; weight[19] = 4   // W[ci=0, co=0..1], W[ci=1, co=0..1]
        let out = conv([10, 20], weight: weight, bias: [0.25, -0.5], h: 1, w: 1, cin: 2, cout: 2)
        XCTAssertEqual(out, [70.25, 99.5])          // 10·1 + 20·3 + 0.25, 10·2 + 20·4 − 0.5
    }

    // MARK: Activations

    private func activate(_ a: Activation, _ x: [Float]) -> [Float] {
        var y = x
        y.withPointer { a.forward($0, count: x.count) }
        return y
    }

    func testActivationValues() {
        let x: [Float] = [-2, -0.5, 0, 0.5, 2]
        XCTAssertEqual(activate(.identity, x), x)
        XCTAssertEqual(activate(.relu, x), [0, 0, 0, 0.5, 2])
        let sig = activate(.sigmoid, x), th = activate(.tanh, x)
        let sigExpected: [Double] = [0.11920292202211755, 0.3775406687981454, 0.5, 0.6224593312018546, 0.8807970779778823]
        let tanhExpected: [Double] = [-0.9640275800758169, -0.46211715726000974, 0, 0.46211715726000974, 0.9640275800758169]
        for i in x.indices {
            XCTAssertEqual(Double(sig[i]), sigExpected[i], accuracy: 2e-7)
            XCTAssertEqual(Double(th[i]), tanhExpected[i], accuracy: 2e-7)
        }
        // Saturation stays finite and in range.
        XCTAssertEqual(activate(.sigmoid, [-100, 100]), [0, 1])
        XCTAssertEqual(activate(.tanh, [-100, 100]), [-1, 1])
        XCTAssertEqual(Activation.allCases.map(\.rawValue), [0, 1, 2, 3], "raw values are part of the file format")
    }

    /// Backward from the output y: ReLU passes where y > 0, σ′ = y(1 − y), tanh′ = 1 − y².
    func testActivationBackwardValues() {
        func back(_ a: Activation, _ y: [Float], _ g: [Float]) -> [Float] {
            var grad = g
            y.withUnsafeBufferPointer { yp in grad.withPointer { a.backward($0, output: yp.baseAddress!, count: g.count) } }
            return grad
        }
        let g: [Float] = [2, 3, 4, 5]
        XCTAssertEqual(back(.identity, [0, 0.1, 0.2, -1], g), g)
        XCTAssertEqual(back(.relu, [0, 0.25, 0, 7], g), [0, 3, 0, 5])
        XCTAssertEqual(back(.sigmoid, [0.5, 0.25, 1, 0], g), [0.5, 0.5625, 0, 0])
        XCTAssertEqual(back(.tanh, [0, 0.5, -0.5, 1], g), [2, 2.25, 3, 0])
    }

    func testMSELossValues() {
        let pred: [Float] = [1, 2, 3, 0.5], target: [Float] = [0, 2, 5, 1]
        withPointers(pred, target) { p, t in
            XCTAssertEqual(MSELoss.sumOfSquares(pred: p, target: t, count: 4), 1 + 0 + 4 + 0.25)
            var d = [Float](repeating: .nan, count: 4)
            d.withPointer { MSELoss.backward(dPred: $0, pred: p, target: t, count: 4, scale: 0.25) }
            XCTAssertEqual(d, [0.5, 0, -1, -0.25])
        }
    }

    func testTensorIsChannelsLast() {
        var t = Tensor(n: 2, h: 3, w: 4, c: 5)
        t[1, 2, 3, 4] = 7
        t[0, 1, 2, 3] = 9
        XCTAssertEqual(t.data[((1 * 3 + 2) * 4 + 3) * 5 + 4], 7)
        XCTAssertEqual(t.data[((0 * 3 + 1) * 4 + 2) * 5 + 3], 9)
        XCTAssertEqual(t.data.filter { $0 != 0 }.count, 2)
        XCTAssertEqual(t.count, 120)
    }
}
