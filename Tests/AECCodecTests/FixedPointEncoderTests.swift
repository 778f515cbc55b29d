import AECBase
import AECCodec
import AECImage
@testable import AECNet
import AECTestSupport
import AECTraining
import XCTest

/// The integer encoder (`FixedPointEncoder`): the same codes with every kernel set, and what it costs
/// against the float encoder on the shipped models and real images.
final class FixedPointEncoderTests: XCTestCase {
    override func tearDown() { EngineKernels.use(EngineKernels.best) }

    static func codes(_ encoder: FixedPointEncoder, images: [Float], n: Int) -> [Float] {
        var out = [Float](repeating: -1, count: n * encoder.architecture.codeCount)
        images.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { encoder.encode(i.baseAddress!, n: n, height: 28, width: 28, into: $0.baseAddress!) }
        }
        return out
    }

    /// First 300 Fashion-MNIST test images, each shipped model at its middle bit depth: the integer
    /// encoder's symbols are the float encoder's for nearly all code values (the rest one level off), and
    /// what they decode to (with the integer decoder) is within 0.02 dB of the float codes' PSNR.
    func testCodesMatchTheFloatEncoder() throws {
        let n = 300
        let (pixels, input) = try FixedPointDecoderTests.fashionTestImages(n)
        for (name, model) in ShippedModels.all() {
            let network = model.network
            let pass = ForwardPass(architecture: network.architecture, capacity: n)
            pass.input.update(from: input, count: input.count)
            network.encode(pass, n: n)
            let float = Array(UnsafeBufferPointer(start: pass.code, count: n * network.architecture.codeCount))
            let fixed = Self.codes(FixedPointEncoder(network), images: input, n: n)
            let bits = model.availableBits[model.availableBits.count / 2]
            let quantizer = CodeQuantizer(bits: bits)
            let a = float.map { quantizer.symbol($0) }, b = fixed.map { quantizer.symbol($0) }
            let same = zip(a, b).filter { $0 == $1 }.count, near = zip(a, b).filter { abs($0 - $1) <= 1 }.count
            let psnr = { (symbols: [Int]) -> Double in
                FixedPointDecoderTests.psnr(FixedPointDecoderTests.fixedDecode(model.decoder, codes: symbols.map { quantizer.value($0) }, n: n),
                                            pixels)
            }
            let drop = psnr(a) - psnr(b)
            print(String(format: "%@ %d bits: %.2f%% of symbols the same, all within one: %@; PSNR %.4f (float codes) %.4f (integer), drop %.4f",
                         name, bits, 100 * Double(same) / Double(a.count), near == a.count ? "yes" : "no", psnr(a), psnr(b), drop))
            XCTAssertGreaterThan(Double(same) / Double(a.count), 0.97, name)
            XCTAssertEqual(near, a.count, name)
            XCTAssertLessThan(abs(drop), 0.02, name)
        }
    }

    /// The same codes, bit for bit, with every kernel set this CPU runs, for a shipped model and the tiny
    /// test model, on images with out-of-range and NaN pixels.
    func testEveryKernelSetGivesTheSameCodes() throws {
        var rng = SplitMix64(seed: 6, stream: 1)
        for network in [try ShippedModels.default().network, TinyModel.codecModel.network] {
            let encoder = FixedPointEncoder(network)
            var images = (0..<(5 * 28 * 28)).map { _ in rng.nextUnitFloat() }
            images[0] = -2; images[1] = 9; images[2] = .nan
            var results: [[Float]] = []
            for set in EngineKernels.supported {
                EngineKernels.use(set)
                results.append(Self.codes(encoder, images: images, n: 5))
            }
            XCTAssertTrue(results[0].allSatisfy { $0 >= 0 && $0 <= 1 })
            for other in results.dropFirst() {
                XCTAssertEqual(zip(results[0], other).filter { $0.bitPattern != $1.bitPattern }.count, 0)
            }
        }
    }
}
