import AECBase
import AECNet
@testable import AECTraining
import Foundation
import XCTest

/// The rate term of rate-aware training: its value, its gradients (against finite differences), and that
/// training with it keeps the guarantees of training without it.
final class RateModelTests: XCTestCase {
    func randomModel(bits: Int, positions: Int, seed: UInt64) -> RateModel {
        var rng = SplitMix64(seed: seed)
        return RateModel(bits: bits, positions: positions,
                         logits: (0..<(positions << bits)).map { _ in 2 * rng.nextUnitFloat() - 1 })
    }

    func rate(_ m: RateModel, _ code: [Float]) -> Double {
        var cg = [Float](repeating: 0, count: code.count), lg = [Float](repeating: 0, count: m.logits.count)
        return m.rate(code: code, count: code.count, probabilities: m.probabilities(), scale: 1, codeGradient: &cg, logitGradient: &lg)
    }

    func testUniformDistributionsCostBBitsPerValue() {
        let m = RateModel(bits: 5, positions: 3)
        let code: [Float] = [0, 0.13, 0.5, 0.77, 1, 0.999]
        XCTAssertEqual(rate(m, code), 6 * 5, accuracy: 1e-4)
    }

    func testAValueOnABinCostsThatBinsProbability() {
        // Logits making bin 2 of 4 (2 bits) have probability 0.7 at position 0: c = 2/3 sits on bin 2.
        let p: [Float] = [0.1, 0.1, 0.7, 0.1]
        let m = RateModel(bits: 2, positions: 1, logits: p.map { log($0) })
        XCTAssertEqual(rate(m, [2.0 / 3]), -log2(0.7), accuracy: 1e-5)
        // Halfway between bins 1 and 2: p = (0.1 + 0.7) / 2.
        XCTAssertEqual(rate(m, [0.5]), -log2(0.4), accuracy: 1e-5)
    }

    func testGradientsMatchFiniteDifferences() {
        let m = randomModel(bits: 3, positions: 4, seed: 1)
        var rng = SplitMix64(seed: 2)
        // Two tiles of 4 positions, kept away from bin boundaries (the interpolation has kinks there) and
        // from the clamps at 0 and 1.
        let code: [Float] = (0..<8).map { _ in (Float(1 + rng.next(below: 5)) + 0.2 + 0.6 * rng.nextUnitFloat()) / 7 }
        var cg = [Float](repeating: 0, count: 8), lg = [Float](repeating: 0, count: m.logits.count)
        _ = m.rate(code: code, count: code.count, probabilities: m.probabilities(), scale: 1, codeGradient: &cg, logitGradient: &lg)
        let eps: Float = 1e-3
        for i in 0..<code.count {
            var plus = code, minus = code
            plus[i] += eps; minus[i] -= eps
            let fd = (rate(m, plus) - rate(m, minus)) / Double(2 * eps)
            XCTAssertEqual(Double(cg[i]), fd, accuracy: 2e-2 * max(1, abs(fd)), "∂/∂code[\(i)]")
        }
        for j in 0..<m.logits.count {
            var plus = m, minus = m
            plus.logits[j] += eps; minus.logits[j] -= eps
            let fd = (rate(plus, code) - rate(minus, code)) / Double(2 * eps)
            XCTAssertEqual(Double(lg[j]), fd, accuracy: 2e-2 * max(1, abs(fd)), "∂/∂logit[\(j)]")
        }
    }

    func testFittingTheDistributionsLowersTheRate() {
        // The codes always sit near bin 1 of 4: a few Adam steps on the logits alone must make them cheaper.
        var m = RateModel(bits: 2, positions: 2)
        let code: [Float] = [0.34, 0.32, 0.35, 0.30]
        let before = rate(m, code)
        var adam = Adam(parameterCount: m.logits.count)
        for _ in 0..<50 {
            var cg = [Float](repeating: 0, count: 4), lg = [Float](repeating: 0, count: m.logits.count)
            _ = m.rate(code: code, count: code.count, probabilities: m.probabilities(), scale: 1, codeGradient: &cg, logitGradient: &lg)
            adam.update(parameters: &m.logits, gradients: lg, learningRate: 0.1)
        }
        XCTAssertLessThan(rate(m, code), 0.5 * before)
    }

    // MARK: Training with the rate term

    func options(threads: Int) -> TrainingOptions {
        var o = TrainerTests.options(threads: threads)
        o.rateLambda = 0.01
        return o
    }

    func testRateTrainingDoesNotDependOnThreadCount() throws {
        func run(_ threads: Int) throws -> Trainer {
            let t = Trainer(options: options(threads: threads))
            try t.train(source: IDXTiles(TrainerTests.images), test: nil, report: { _ in }, checkpoint: { _ in })
            return t
        }
        let one = try run(1), two = try run(2)
        XCTAssertEqual(one.model.parameters.map(\.bitPattern), two.model.parameters.map(\.bitPattern))
        XCTAssertEqual(one.rateModel!.logits.map(\.bitPattern), two.rateModel!.logits.map(\.bitPattern))
        XCTAssertNotEqual(one.rateModel!.logits, RateModel(bits: 6, positions: 49).logits, "the distributions were trained")
        // The rate term changes what is learned.
        let plain = Trainer(options: TrainerTests.options(threads: 2))
        try plain.train(source: IDXTiles(TrainerTests.images), test: nil, report: { _ in }, checkpoint: { _ in })
        XCTAssertNotEqual(plain.model.parameters, one.model.parameters)
    }

    func testRateTrainingResumesBitExactly() throws {
        let straight = Trainer(options: options(threads: 2))
        try straight.train(source: IDXTiles(TrainerTests.images), test: nil, report: { _ in }, checkpoint: { _ in })

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aec-rate-\(UUID().uuidString).ckpt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        struct Stop: Error {}
        let first = Trainer(options: options(threads: 2))
        XCTAssertThrowsError(try first.train(source: IDXTiles(TrainerTests.images), test: nil, report: { _ in }) { t in
            try t.currentCheckpoint.write(to: path)
            throw Stop()
        })
        let checkpoint = try Checkpoint.load(from: path)
        XCTAssertNotNil(checkpoint.rate)
        let resumed = try Trainer(options: options(threads: 1), resumingFrom: checkpoint)
        try resumed.train(source: IDXTiles(TrainerTests.images), test: nil, report: { _ in }, checkpoint: { _ in })
        XCTAssertEqual(resumed.model.parameters.map(\.bitPattern), straight.model.parameters.map(\.bitPattern))
        XCTAssertEqual(resumed.rateModel!.logits.map(\.bitPattern), straight.rateModel!.logits.map(\.bitPattern))
        // Resuming without the rate term (or with it, from a plain checkpoint) is refused.
        XCTAssertThrowsError(try Trainer(options: TrainerTests.options(threads: 1), resumingFrom: checkpoint))
    }

    // MARK: Larger crops

    /// 24 smooth 32×32 crops: a bright disc on a gradient.
    struct Crops32: TileSource {
        let count = 24
        let side = 32
        func tile(_ index: Int, epoch: Int, into out: UnsafeMutableBufferPointer<Float>) {
            var rng = SplitMix64(seed: 7, stream: UInt64(index))
            let cx = Float(rng.next(below: 32)), cy = Float(rng.next(below: 32)), r = Float(4 + rng.next(below: 8))
            for y in 0..<32 {
                for x in 0..<32 {
                    let d = ((Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)).squareRoot()
                    out[y * 32 + x] = (Float(40 + 3 * x) + (d < r ? 120 : 0)) / 255
                }
            }
        }
    }

    func testTrainingOnLargerCropsHasOneDistributionPerChannel() throws {
        func run(_ threads: Int) throws -> Trainer {
            var o = options(threads: threads)
            o.architecture = Architecture(w1: 4, w2: 4, w3: 2, codeChannels: 3)
            o.cropSide = 32
            let t = Trainer(options: o)
            try t.train(source: Crops32(), test: nil, report: { _ in }, checkpoint: { _ in })
            return t
        }
        let one = try run(1), two = try run(2)
        XCTAssertEqual(one.rateModel!.positions, 3, "one distribution per code channel")
        XCTAssertEqual(one.model.parameters.map(\.bitPattern), two.model.parameters.map(\.bitPattern))
        XCTAssertEqual(one.rateModel!.logits.map(\.bitPattern), two.rateModel!.logits.map(\.bitPattern))
        XCTAssertNotEqual(one.rateModel!.logits, RateModel(bits: 6, positions: 3).logits, "the distributions were trained")

        // The checkpoint keeps the per-channel rate model; resuming it as a 28×28 run is refused.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aec-crops-\(UUID().uuidString).ckpt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try one.currentCheckpoint.write(to: path)
        let checkpoint = try Checkpoint.load(from: path)
        XCTAssertEqual(checkpoint.rate?.model, one.rateModel)
        var tiles = options(threads: 1)
        tiles.architecture = Architecture(w1: 4, w2: 4, w3: 2, codeChannels: 3)
        XCTAssertThrowsError(try Trainer(options: tiles, resumingFrom: checkpoint)) { error in
            XCTAssertEqual(error as? CheckpointMismatch, .ratePositions(3))
        }
    }
}
