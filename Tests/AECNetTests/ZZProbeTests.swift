import XCTest
@testable import AECNet
final class ZZProbeTests: XCTestCase {
    func testProbe() {
        for (a, n) in [(Architecture(w1: 2, w2: 3, w3: 2), 2), (Architecture(w1: 32, w2: 32, w3: 16), 8)] {
            let model = Autoencoder(architecture: a, seed: 1)
            let pass = ForwardPass(architecture: a, capacity: n)
            var rng = SplitMix64(seed: 3)
            for i in 0..<(n*784) { pass.input[i] = rng.nextUnitFloat() }
            var t = Date()
            model.forward(pass, n: n)
            let f = Date().timeIntervalSince(t)
            MSELoss.backward(dPred: pass.outputGradient, pred: pass.output, target: pass.input, count: n*784, scale: 1/Float(n*784))
            var g = [Float](repeating: 0, count: a.parameterLayout.count)
            t = Date()
            g.withPointer { model.backward(pass, n: n, gradients: $0) }
            print("arch \(a) params \(a.parameterLayout.count) fwd \(f) bwd \(Date().timeIntervalSince(t))")
        }
    }
}
