import AECBase
import XCTest
@testable import AECNet

/// `Autoencoder.widened`: a grown model reconstructs exactly as the original, keeps its code in the
/// first channels, and is a function of (model, channels, seed).
final class CodeWideningTests: XCTestCase {
    private func forward(_ model: Autoencoder, _ images: [Float], n: Int) -> (code: [Float], output: [Float]) {
        let pass = ForwardPass(architecture: model.architecture, capacity: n)
        pass.input.update(from: images, count: n * 784)
        model.forward(pass, n: n)
        return (Array(UnsafeBufferPointer(start: pass.code, count: n * model.architecture.codeCount)),
                Array(UnsafeBufferPointer(start: pass.output, count: n * 784)))
    }

    private func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max()!
    }

    func testGrownModelReconstructsAsTheOriginal() {
        var rng = SplitMix64(seed: 70)
        let small = Autoencoder(architecture: Architecture(w1: 3, w2: 4, w3: 2, codeChannels: 1), seed: 70)
        // Non-zero biases, so that the copy of biases is checked too.
        var model = small
        for i in model.parameters.indices where model.parameters[i] == 0 { model.parameters[i] = 0.1 * rng.nextGaussian() }
        let grown = model.widened(toCodeChannels: 3, seed: 5)
        XCTAssertEqual(grown.architecture, Architecture(w1: 3, w2: 4, w3: 2, codeChannels: 3))

        let images = randomFloats(2 * 784, &rng, in: 0...1)
        let before = forward(model, images, n: 2), after = forward(grown, images, n: 2)
        // The same up to rounding (a conv with more channels may sum in another order): the new channels
        // start with zero decoder weights.
        XCTAssertLessThan(maxDifference(after.output, before.output), 1e-6)
        // [n, 7, 7, 3]: channel 0 is the old code; channels 1, 2 are new and not constant.
        XCTAssertLessThan(maxDifference((0..<(2 * 49)).map { after.code[3 * $0] }, before.code), 1e-6)
        let newChannel = (0..<(2 * 49)).map { after.code[3 * $0 + 1] }
        XCTAssertGreaterThan(newChannel.max()! - newChannel.min()!, 1e-3)

        XCTAssertEqual(model.widened(toCodeChannels: 3, seed: 5).parameters, grown.parameters)
        XCTAssertNotEqual(model.widened(toCodeChannels: 3, seed: 6).parameters, grown.parameters)
        XCTAssertEqual(model.widened(toCodeChannels: 1, seed: 5).parameters, model.parameters, "no growth: a copy")
    }
}
