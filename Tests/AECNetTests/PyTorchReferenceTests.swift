import XCTest
@testable import AECNet

/// Our forward and backward passes against a trained PyTorch model of the same layout (widths 32/32/16),
/// on 8 Fashion-MNIST test images. PyTorch computed in float64 and stored float32; we compute in float32.
final class PyTorchReferenceTests: XCTestCase {
    /// Our results on the fixture, computed once for all the tests (≈ 9 s in a debug build).
    struct Ours {
        var reference: PyTorchReference
        var code: [Float]
        var reconstruction: [Float]
        var loss: Double
        var gradients: [Float]
    }

    private static let ours: Result<Ours, Error> = Result {
        let ref = try PyTorchReference()
        let a = ref.architecture
        let model = Autoencoder(architecture: a, parameters: try ref.parameterVector())
        let images = try ref.images()
        let n = images.n, pixels = images.values.count
        // NCHW with C = 1 is NHWC.
        let pass = ForwardPass(architecture: a, capacity: n)
        pass.input.update(from: images.values, count: pixels)
        model.forward(pass, n: n)
        let loss = MSELoss.sumOfSquares(pred: pass.output, target: pass.input, count: pixels) / Double(pixels)
        let code = Array(UnsafeBufferPointer(start: pass.code, count: n * a.codeCount))
        let reconstruction = Array(UnsafeBufferPointer(start: pass.output, count: pixels))
        MSELoss.backward(dPred: pass.outputGradient, pred: pass.output, target: pass.input, count: pixels,
                         scale: 1 / Float(pixels))
        var gradients = [Float](repeating: 0, count: a.parameterLayout.count)
        gradients.withPointer { model.backward(pass, n: n, gradients: $0) }
        return Ours(reference: ref, code: code, reconstruction: reconstruction, loss: loss, gradients: gradients)
    }

    private func ours() throws -> Ours { try Self.ours.get() }

    func testFixtureLoads() throws {
        let ref = try PyTorchReference()
        XCTAssertEqual(ref.manifest.widths, [32, 32, 16])
        XCTAssertEqual(ref.manifest.layersInOrder.count, 16)
        XCTAssertEqual(try ref.tensor("images").shape, [8, 1, 28, 28])
        XCTAssertEqual(try ref.tensor("code").shape, [8, 1, 7, 7])
        XCTAssertEqual(try ref.tensor("reconstruction").shape, [8, 1, 28, 28])
        let images = try ref.images().values
        XCTAssertTrue(images.allSatisfy { $0 >= 0 && $0 <= 1 }, "images are value/255")
        XCTAssertTrue(images.contains { $0 == 1 } && images.contains { $0 == 0 }, "the full range of uint8")
        // Every parameter is set, and the conversion round-trips exactly.
        let p = try ref.parameterVector()
        XCTAssertFalse(p.contains { $0.isNaN })
        for (name, values) in try ref.pyTorchTensors(from: p) {
            XCTAssertEqual(values, try ref.tensor(name).values, name)
        }
    }

    /// The layout conversion by hand: PyTorch weight[co, ci, ky, kx] is ours at ((ky·3 + kx)·cin + ci)·cout + co.
    func testWeightLayoutConversion() {
        let cin = 2, cout = 3
        let torch = (0..<(9 * cin * cout)).map(Float.init)   // value = flat PyTorch index
        let w = PyTorchReference.weightToOurs(torch, cin: cin, cout: cout)
        for co in 0..<cout { for ci in 0..<cin { for ky in 0..<3 { for kx in 0..<3 {
            XCTAssertEqual(w[((ky * 3 + kx) * cin + ci) * cout + co], Float(((co * cin + ci) * 3 + ky) * 3 + kx))
        } } } }
        XCTAssertEqual(Array(w[0..<4]), [0, 18, 36, 9])   // (k 0, ci 0, co 0…2), then (k 0, ci 1, co 0)
        XCTAssertEqual(PyTorchReference.weightToPyTorch(w[...], cin: cin, cout: cout), torch)
    }

    /// Relative error of `ours` against `theirs`: max |ours − theirs| / max |theirs|.
    private func relativeError(_ ours: [Float], _ theirs: [Float]) -> Double {
        let scale = theirs.reduce(0.0) { max($0, abs(Double($1))) }
        let err = zip(ours, theirs).reduce(0.0) { max($0, abs(Double($1.0) - Double($1.1))) }
        return err / scale
    }

    func testCodeMatches() throws {
        let o = try ours(), theirs = try o.reference.tensor("code").values
        XCTAssertEqual(o.code.count, theirs.count)
        XCTAssertLessThanOrEqual(relativeError(o.code, theirs), 1e-4)
    }

    func testReconstructionMatches() throws {
        let o = try ours(), theirs = try o.reference.tensor("reconstruction").values
        XCTAssertEqual(o.reconstruction.count, theirs.count)
        XCTAssertLessThanOrEqual(relativeError(o.reconstruction, theirs), 1e-4)
    }

    func testLossMatches() throws {
        let o = try ours()
        XCTAssertEqual(o.loss, o.reference.manifest.lossValue, accuracy: 1e-5 * o.reference.manifest.lossValue)
    }

    /// Every gradient tensor, as max |ours − theirs| / max |theirs| per tensor ≤ 1e-3. Float32 sums over
    /// up to 8·784 pixels accumulate errors of ~1e-5 of the tensor's scale; a wrong index, mask or
    /// transpose gives O(1).
    func testEveryGradientTensorMatches() throws {
        let o = try ours()
        let tensors = try o.reference.pyTorchTensors(from: o.gradients)
        XCTAssertEqual(tensors.count, 32)
        var worst = (name: "", error: 0.0)
        for (name, values) in tensors {
            let theirs = try o.reference.tensor("grad." + name).values
            XCTAssertEqual(values.count, theirs.count, name)
            let e = relativeError(values, theirs)
            XCTAssertLessThanOrEqual(e, 1e-3, "gradient of \(name)")
            if !(e <= worst.error) { worst = (name, e) }
        }
        print("PyTorch reference: worst gradient error \(worst.error) (\(worst.name))")
    }
}
