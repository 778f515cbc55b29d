import AECBase
import AECCodec
import AECImage
import AECTraining
@testable import AECNet
import AECTestSupport
import XCTest

/// The integer decoder (`FixedPointDecoder`): what it costs against the float decoder on the shipped models
/// and real images, that it gives the same values with every kernel set (portable, AVX2, AVX-512 VNNI where the CPU has them), and that its sigmoid table does not
/// depend on the platform's `exp`.
final class FixedPointDecoderTests: XCTestCase {
    override func tearDown() { EngineKernels.use(EngineKernels.best) }

    /// The float decoder's output for `codes` [n, 7, 7, C] (tiles).
    static func floatDecode(_ network: Autoencoder, codes: [Float], n: Int) -> [Float] {
        let pass = ForwardPass(architecture: network.architecture, capacity: n)
        pass.decoderInput.update(from: codes, count: codes.count)
        network.decode(pass, n: n)
        return Array(UnsafeBufferPointer(start: pass.output, count: n * 28 * 28))
    }

    static func fixedDecode(_ decoder: FixedPointDecoder, codes: [Float], n: Int) -> [Float] {
        var out = [Float](repeating: -1, count: n * 28 * 28)
        codes.withUnsafeBufferPointer { c in
            out.withUnsafeMutableBufferPointer { decoder.decode(c.baseAddress!, n: n, codeHeight: 7, codeWidth: 7, into: $0.baseAddress!) }
        }
        return out
    }

    /// The first `n` Fashion-MNIST test images: their 8-bit pixels, and as values in [0, 1] ([n, 28, 28]).
    static func fashionTestImages(_ n: Int) throws -> (pixels: [UInt8], values: [Float]) {
        let idx = try FashionMNIST.load(.test)
        let pixels = Array(idx.pixels[0..<(n * 28 * 28)])
        return (pixels, pixels.map { Float($0) / 255 })
    }

    /// PSNR of `values` (in [0, 1], rounded to 8 bits as the codec does) against the 8-bit `pixels`.
    static func psnr(_ values: [Float], _ pixels: [UInt8]) -> Double {
        var sum = 0.0
        for (v, p) in zip(values, pixels) {
            let d = Double(UInt8((min(max(v, 0), 1) * 255).rounded())) - Double(p)
            sum += d * d
        }
        return 10 * log10(255 * 255 / max(sum / Double(pixels.count), 1e-10))
    }

    /// On the first 300 Fashion-MNIST test images, each shipped model's codes at each of its bit depths decode
    /// to within 0.02 dB of the float decoder's PSNR (the engine issue's bound): the values differ by a tenth
    /// of a level (root mean square), a few levels at most.
    func testCostsLessThanTwoHundredthsOfADecibelOnTheShippedModels() throws {
        let n = 300
        let (pixels, input) = try Self.fashionTestImages(n)
        for (name, model) in ShippedModels.all() {
            let network = model.network
            let decoder = FixedPointDecoder(network)
            let pass = ForwardPass(architecture: network.architecture, capacity: n)
            pass.input.update(from: input, count: input.count)
            network.encode(pass, n: n)
            let code = Array(UnsafeBufferPointer(start: pass.code, count: n * network.architecture.codeCount))
            for bits in model.availableBits {
                let quantizer = CodeQuantizer(bits: bits)
                var codes = code
                codes.withUnsafeMutableBufferPointer { quantizer.quantize($0.baseAddress!, count: $0.count) }
                let float = Self.floatDecode(network, codes: codes, n: n)
                let fixed = Self.fixedDecode(decoder, codes: codes, n: n)
                let differences = zip(float, fixed).map { Double(abs($0 - $1)) * 255 }
                let largest = differences.max()!
                let rms = (differences.reduce(0) { $0 + $1 * $1 } / Double(differences.count)).squareRoot()
                let drop = Self.psnr(float, pixels) - Self.psnr(fixed, pixels)
                print(String(format: "%@ %d bits: float %.4f dB, integer %.4f dB (drop %.4f); difference %.3f levels rms, %.2f largest",
                             name, bits, Self.psnr(float, pixels), Self.psnr(fixed, pixels), drop, rms, largest))
                XCTAssertLessThan(abs(drop), 0.02, "\(name) at \(bits) bits")
                XCTAssertLessThan(rms, 0.35, "\(name) at \(bits) bits")
                XCTAssertLessThan(largest, 8, "\(name) at \(bits) bits")
            }
        }
    }

    /// The same values, bit for bit, with every kernel set this CPU runs, on codes of every kind
    /// (random, constant, out of range, NaN), for a shipped model and the tiny test model (odd widths).
    func testEveryKernelSetGivesTheSameValues() throws {
        var rng = SplitMix64(seed: 5, stream: 1)
        for network in [try ShippedModels.default().network, TinyModel.codecModel.network] {
            let decoder = FixedPointDecoder(network)
            let n = 6, count = n * network.architecture.codeCount
            var codes = (0..<count).map { _ in rng.nextUnitFloat() }
            codes[0] = -3; codes[1] = 7; codes[2] = .nan; codes[3] = .infinity
            for i in (count / 2)..<(count / 2 + network.architecture.codeCount) { codes[i] = 0.5 }
            var results: [[Float]] = []
            for set in EngineKernels.supported {
                EngineKernels.use(set)
                results.append(Self.fixedDecode(decoder, codes: codes, n: n))
            }
            XCTAssertTrue(results[0].allSatisfy { $0 >= 0 && $0 <= 1 })
            for other in results.dropFirst() {
                XCTAssertEqual(zip(results[0], other).filter { $0.bitPattern != $1.bitPattern }.count, 0)
            }
        }
    }

    /// Models whose scales are extreme — every parameter zero, or weights a thousand times too large — still
    /// decode to values in [0, 1], the same with both kernel sets (saturating, not crashing).
    func testExtremeModelsDecodeWithinRange() {
        let architecture = Architecture(w1: 8, w2: 8, w3: 4, codeChannels: 2)
        let random = Autoencoder(architecture: architecture, seed: 11)
        let zero = Autoencoder(architecture: architecture, parameters: [Float](repeating: 0, count: random.parameters.count))
        let huge = Autoencoder(architecture: architecture, parameters: random.parameters.map { $0 * 1000 })
        let tiny = Autoencoder(architecture: architecture, parameters: random.parameters.map { $0 * 1e-6 })
        var rng = SplitMix64(seed: 2, stream: 3)
        let codes = (0..<(3 * architecture.codeCount)).map { _ in rng.nextUnitFloat() }
        for (name, network) in [("zero", zero), ("huge", huge), ("tiny", tiny)] {
            let decoder = FixedPointDecoder(network)
            var results: [[Float]] = []
            for set in EngineKernels.supported {
                EngineKernels.use(set)
                results.append(Self.fixedDecode(decoder, codes: codes, n: 3))
            }
            XCTAssertTrue(results[0].allSatisfy { $0 >= 0 && $0 <= 1 }, name)
            for other in results.dropFirst() {
                XCTAssertEqual(zip(results[0], other).filter { $0.bitPattern != $1.bitPattern }.count, 0, name)
            }
            if name == "zero" { XCTAssertTrue(results[0].allSatisfy { $0 == 0.5 }, "σ(0) everywhere") }
        }
    }

    /// Every entry of the sigmoid table is at least 10⁻⁶ of a level away from a rounding tie, so an `exp`
    /// correct to far better than that (any libm's is) gives the same table.
    func testSigmoidTableIsFarFromRoundingTies() {
        let limit = FixedPointDecoder.zLimit << FixedPointDecoder.zFractionBits
        var closest = 1.0
        for k in -limit...limit {
            let level = 65536 / (1 + exp(-Double(k) / Double(1 << FixedPointDecoder.zFractionBits)))
            closest = min(closest, abs(level - level.rounded(.down) - 0.5))
        }
        XCTAssertGreaterThan(closest, 1e-6)
        XCTAssertEqual(FixedPointDecoder.sigmoidLevels.first, 0)
        XCTAssertEqual(FixedPointDecoder.sigmoidLevels.last, 65535)
        XCTAssertEqual(FixedPointDecoder.sigmoidLevels[limit], 32768)
        XCTAssertEqual(FixedPointDecoder.sigmoidTable[limit], 0.5)
    }
}
