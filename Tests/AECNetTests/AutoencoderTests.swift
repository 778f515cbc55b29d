import AECBase
import XCTest
@testable import AECNet

/// The contracts of `Autoencoder` and `ForwardPass` that the gradient checks do not cover: batch
/// independence, the code transform hook, encode/decode, and that backward adds into `gradients`.
final class AutoencoderTests: XCTestCase {
    let architecture = Architecture(w1: 3, w2: 2, w3: 2, codeChannels: 2)

    private func run(_ model: Autoencoder, images: [Float], n: Int, capacity: Int,
                     transform: Autoencoder.CodeTransform? = nil) -> (pass: ForwardPass, code: [Float], output: [Float]) {
        let pass = ForwardPass(architecture: model.architecture, capacity: capacity)
        pass.input.update(from: images, count: n * 784)
        model.forward(pass, n: n, codeTransform: transform)
        return (pass, Array(UnsafeBufferPointer(start: pass.code, count: n * model.architecture.codeCount)),
                Array(UnsafeBufferPointer(start: pass.output, count: n * 784)))
    }

    /// Each tile is coded on its own: tile 1 of a batch of 3 gives the same code and output as alone.
    func testTilesAreIndependent() {
        var rng = SplitMix64(seed: 60)
        let model = Autoencoder(architecture: architecture, seed: 60)
        let images = randomFloats(3 * 784, &rng, in: 0...1)
        let batch = run(model, images: images, n: 3, capacity: 3)
        let alone = run(model, images: Array(images[784..<1568]), n: 1, capacity: 4)
        let cc = architecture.codeCount
        XCTAssertEqual(Array(batch.code[cc..<(2 * cc)]), alone.code)
        XCTAssertEqual(Array(batch.output[784..<1568]), alone.output)
        XCTAssertTrue(batch.code.allSatisfy { $0 > 0 && $0 < 1 }, "the code is a sigmoid output")
        XCTAssertTrue(batch.output.allSatisfy { $0 > 0 && $0 < 1 }, "the output is a sigmoid output")
    }

    /// The transform sees the decoder's copy of the code, `pass.code` keeps the encoder's, and the decoder
    /// runs on the transformed one (the same as decoding a code set by hand).
    func testCodeTransform() {
        var rng = SplitMix64(seed: 61)
        let model = Autoencoder(architecture: architecture, seed: 61)
        let images = randomFloats(2 * 784, &rng, in: 0...1)
        let plain = run(model, images: images, n: 2, capacity: 2)
        var calls: [Int] = []
        let rounded = run(model, images: images, n: 2, capacity: 2) { code, n in
            calls.append(n)
            for i in 0..<(n * 98) { code[i] = (code[i] * 4).rounded() / 4 }
        }
        XCTAssertEqual(calls, [2])
        XCTAssertEqual(rounded.code, plain.code, "pass.code is the code before the transform")
        XCTAssertNotEqual(rounded.output, plain.output)
        // Decoding the rounded code by hand gives the same output.
        let pass = ForwardPass(architecture: architecture, capacity: 2)
        for i in 0..<(2 * 98) { pass.decoderInput[i] = (plain.code[i] * 4).rounded() / 4 }
        model.decode(pass, n: 2)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: pass.output, count: 2 * 784)), rounded.output)
        // encode alone gives the same code.
        let encodeOnly = ForwardPass(architecture: architecture, capacity: 2)
        encodeOnly.input.update(from: images, count: 2 * 784)
        model.encode(encodeOnly, n: 2)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: encodeOnly.code, count: 2 * 98)), plain.code)
    }

    /// `backward` adds: two calls on the same pass give twice the gradient (up to rounding), and the
    /// codeGradient term is linear.
    func testBackwardAddsIntoGradients() {
        var rng = SplitMix64(seed: 62)
        let model = Autoencoder(architecture: architecture, seed: 62)
        let images = randomFloats(2 * 784, &rng, in: 0...1)
        let (pass, _, _) = run(model, images: images, n: 2, capacity: 2)
        let dOut = randomFloats(2 * 784, &rng, in: -1e-3...1e-3)
        let count = architecture.parameterLayout.count
        func gradient(into g: inout [Float], codeGradient: [Float]? = nil) {
            pass.outputGradient.update(from: dOut, count: dOut.count)   // backward overwrites it
            g.withPointer { gp in
                if let codeGradient {
                    codeGradient.withUnsafeBufferPointer { model.backward(pass, n: 2, gradients: gp, codeGradient: $0.baseAddress!) }
                } else {
                    model.backward(pass, n: 2, gradients: gp)
                }
            }
        }
        var once = [Float](repeating: 0, count: count), twice = once
        gradient(into: &once)
        gradient(into: &twice); gradient(into: &twice)
        XCTAssertGreaterThan(maxAbs(once), 0)
        assertClose(twice, once.map { 2 * $0 }, relativeTolerance: 1e-6)

        // With a code gradient r the result is the gradient without it plus that of r alone.
        let r = randomFloats(2 * 98, &rng, in: -1e-2...1e-2)
        var withCode = [Float](repeating: 0, count: count)
        gradient(into: &withCode, codeGradient: r)
        var codeOnly = [Float](repeating: 0, count: count)
        pass.outputGradient.update(repeating: 0, count: 2 * 784)
        codeOnly.withPointer { gp in r.withUnsafeBufferPointer { model.backward(pass, n: 2, gradients: gp, codeGradient: $0.baseAddress!) } }
        assertClose(withCode, zip(once, codeOnly).map { $0 + $1 }, relativeTolerance: 1e-5)
        // The code gradient reaches only the encoder's parameters.
        let firstDecoderWeight = architecture.parameterLayout.offsets[architecture.codeLayer + 1]!.weight
        XCTAssertTrue(codeOnly[firstDecoderWeight...].allSatisfy { $0 == 0 })
        XCTAssertGreaterThan(maxAbs(codeOnly[..<firstDecoderWeight]), 0)
    }
}
