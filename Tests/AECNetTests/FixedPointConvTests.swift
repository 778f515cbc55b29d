import AECBase
import CKernels
@testable import AECNet
import XCTest

/// The integer convolutions of `FixedPointDecoder` (fixed_point.c) against a direct nested-loop convolution
/// in 64-bit integers, with every kernel set, on sizes that exercise the kernels' edges: widths that are not
/// multiples of the six-pixel block, channel counts that are odd or not multiples of 16.
final class FixedPointConvTests: XCTestCase {
    override func tearDown() { EngineKernels.use(EngineKernels.best) }

    /// The convolution `layer` should compute, from its packed weights, at input [h, w, layer.cin].
    static func reference(_ layer: FixedPointDecoder.Conv, input: [Int16], h: Int, w: Int) -> [Int16] {
        var out = [Int16](repeating: 0, count: h * w * layer.cout)
        for y in 0..<h {
            for x in 0..<w {
                for co in 0..<layer.cout {
                    var sum = Int64(layer.bias[co])
                    for tap in 0..<9 {
                        let yy = y + tap / 3 - 1, xx = x + tap % 3 - 1
                        guard yy >= 0 && yy < h && xx >= 0 && xx < w else { continue }
                        for ci in 0..<layer.cin {
                            let index = (((co / 16 * 9 + tap) * (layer.c2 / 2) + ci / 2) * 16 + co % 16) * 2 + ci % 2
                            sum += Int64(input[(yy * w + xx) * layer.cin + ci]) * Int64(layer.packed[index])
                        }
                    }
                    let s = Int64(layer.shift[co])
                    let v = (sum + (s > 0 ? 1 << (s - 1) : 0)) >> s
                    out[(y * w + x) * layer.cout + co] = Int16(min(max(v, 0), 32767))
                }
            }
        }
        return out
    }

    func testIntegerConvolutionMatchesNestedLoops() {
        var rng = SplitMix64(seed: 3, stream: 9)
        for (h, w, cin, cout) in [(7, 7, 1, 32), (5, 13, 3, 16), (4, 4, 64, 64), (14, 14, 32, 64), (3, 11, 6, 20), (1, 1, 2, 16)] {
            let weights = (0..<(9 * cin * cout)).map { _ in rng.nextGaussian() * 0.2 }
            let bias = (0..<cout).map { _ in rng.nextGaussian() * 0.1 }
            let layer = weights.withUnsafeBufferPointer { wp in
                bias.withUnsafeBufferPointer { bp in
                    FixedPointDecoder.conv(weight: wp.baseAddress!, bias: bp.baseAddress!, cin: cin, cout: cout, eIn: 12,
                                           eOut: 11, inputLevel: 4096)
                }
            }
            let input = (0..<(h * w * cin)).map { _ in Int16(rng.next(below: 4097)) }
            let expected = Self.reference(layer, input: input, h: h, w: w)
            for set in EngineKernels.supported {
                EngineKernels.use(set)
                let got = FixedPointDecoder.run(layer, input: input, h: h, w: w)
                XCTAssertEqual(got, expected, "\(h)×\(w), \(cin) → \(cout), \(set)")
            }
        }
    }

    /// The conv after an upsampling, run as four 2×2 convs on the small image (one per output phase, with the
    /// 3×3 weights summed), equals upsampling and then convolving with the same integer weights, bit for bit.
    func testUpsampledConvolutionByPhasesMatchesUpsamplingThenConvolving() {
        var rng = SplitMix64(seed: 8, stream: 4)
        for (h, w, cin, cout) in [(7, 7, 32, 64), (3, 5, 3, 20), (1, 1, 2, 16), (4, 9, 16, 16), (2, 13, 1, 32)] {
            let weights = (0..<(9 * cin * cout)).map { _ in rng.nextGaussian() * 0.2 }
            let bias = (0..<cout).map { _ in rng.nextGaussian() * 0.1 }
            let (conv, up) = weights.withUnsafeBufferPointer { wp in
                bias.withUnsafeBufferPointer { bp in
                    let q = FixedPointDecoder.quantizedConv(weight: wp.baseAddress!, bias: bp.baseAddress!, cin: cin, cout: cout,
                                                            eIn: 12, eOut: 11, inputLevel: 4096, largest: 8191, clamp: 8191)
                    let conv = FixedPointDecoder.Conv(cin: cin, c2: (cin + 1) / 2 * 2, cout: cout,
                                                      packed: FixedPointDecoder.packed(q.weights, taps: 9, cin: cin, cout: cout),
                                                      bias: q.bias, shift: q.shift)
                    let up = FixedPointDecoder.upConv(weight: wp.baseAddress!, bias: bp.baseAddress!, cin: cin, cout: cout,
                                                      eIn: 12, eOut: 11, inputLevel: 4096)
                    return (conv, up)
                }
            }
            let input = (0..<(h * w * cin)).map { _ in Int16(rng.next(below: 32768)) }
            var upsampled = [Int16](repeating: 0, count: 4 * h * w * cin)
            for y in 0..<(2 * h) {
                for x in 0..<(2 * w) {
                    for c in 0..<cin { upsampled[(y * 2 * w + x) * cin + c] = input[((y / 2) * w + x / 2) * cin + c] }
                }
            }
            let expected = FixedPointDecoder.run(conv, input: upsampled, h: 2 * h, w: 2 * w)
            for set in EngineKernels.supported {
                EngineKernels.use(set)
                XCTAssertEqual(FixedPointDecoder.run(up, input: input, h: h, w: w), expected, "\(h)×\(w), \(cin) → \(cout), \(set)")
            }
        }
    }
}
