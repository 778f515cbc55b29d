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
}
