import AECBase
import AECNet
@testable import AECTraining
import XCTest

/// Training: the loss falls, results do not depend on the thread count, a resumed run equals an
/// uninterrupted one, and the regularizers do what they say.
final class TrainerTests: XCTestCase {
    /// 48 smooth synthetic 28×28 images: a bright disc on a gradient, at varying places.
    static let images: IDXImages = {
        var rng = SplitMix64(seed: 11)
        var pixels: [UInt8] = []
        for _ in 0..<48 {
            let cx = Float(rng.next(below: 28)), cy = Float(rng.next(below: 28)), r = Float(4 + rng.next(below: 6))
            for y in 0..<28 {
                for x in 0..<28 {
                    let d = ((Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)).squareRoot()
                    pixels.append(UInt8(min(255, 60 + 4 * x + (d < r ? 120 : 0))))
                }
            }
        }
        return IDXImages(count: 48, rows: 28, cols: 28, pixels: pixels)
    }()

    static func options(threads: Int, epochs: Int = 2) -> TrainingOptions {
        var o = TrainingOptions()
        o.architecture = Architecture(w1: 4, w2: 4, w3: 2)
        o.epochs = epochs
        o.batchSize = 20            // not a multiple of the shard size: the last shard is short
        o.learningRate = 5e-3
        o.warmupSteps = 2
        o.threads = threads
        o.seed = 42
        return o
    }

    func train(_ options: TrainingOptions) throws -> Trainer {
        let trainer = Trainer(options: options)
        try trainer.train(source: IDXTiles(Self.images), test: nil, report: { _ in }, checkpoint: { _ in })
        return trainer
    }

    func testLossDecreases() throws {
        var o = Self.options(threads: 2, epochs: 6)
        o.learningRate = 1e-2
        o.batchSize = 8
        var losses: [Double] = []
        let trainer = Trainer(options: o)
        try trainer.train(source: IDXTiles(Self.images), test: nil, report: { event in
            if case .epochEnd(_, let loss, _, _) = event { losses.append(loss) }
        }, checkpoint: { _ in })
        XCTAssertEqual(losses.count, 6)
        XCTAssertLessThan(losses.last!, 0.75 * losses.first!, "loss by epoch: \(losses)")
    }

    func testWeightsDoNotDependOnThreadCount() throws {
        let one = try train(Self.options(threads: 1)).model.parameters
        let two = try train(Self.options(threads: 2)).model.parameters
        let three = try train(Self.options(threads: 3)).model.parameters
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
        XCTAssertEqual(one.map(\.bitPattern), three.map(\.bitPattern))
        // And training did change them.
        XCTAssertNotEqual(one, Autoencoder(architecture: Self.options(threads: 1).architecture, seed: 42).parameters)
    }

    func testDifferentSeedsGiveDifferentWeights() throws {
        var o = Self.options(threads: 2)
        let a = try train(o).model.parameters
        o.seed = 43
        XCTAssertNotEqual(a, try train(o).model.parameters)
    }

    func testResumedRunEqualsUninterruptedRun() throws {
        let straight = try train(Self.options(threads: 2, epochs: 2))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aec-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("run.ckpt").path

        // Stop after one epoch (a run whose options say 1 epoch leaves the same state as epoch 1 of 2,
        // except for the schedule, so train epoch 1 of a 2-epoch run and stop by throwing).
        struct Stop: Error {}
        let first = Trainer(options: Self.options(threads: 2, epochs: 2))
        XCTAssertThrowsError(try first.train(source: IDXTiles(Self.images), test: nil, report: { _ in }) { t in
            try t.currentCheckpoint.write(to: path)
            throw Stop()
        })
        let checkpoint = try Checkpoint.load(from: path)
        XCTAssertEqual(checkpoint.epochsCompleted, 1)
        let resumed = try Trainer(options: Self.options(threads: 1, epochs: 2), resumingFrom: checkpoint)
        try resumed.train(source: IDXTiles(Self.images), test: nil, report: { _ in }, checkpoint: { _ in })
        XCTAssertEqual(resumed.model.parameters.map(\.bitPattern), straight.model.parameters.map(\.bitPattern))
        XCTAssertEqual(resumed.adam.step, straight.adam.step)
    }

    func testResumeRefusesDifferentOptions() throws {
        let t = Trainer(options: Self.options(threads: 1))
        var other = Self.options(threads: 1)
        other.seed = 7
        XCTAssertThrowsError(try Trainer(options: other, resumingFrom: t.currentCheckpoint))
        other = Self.options(threads: 1)
        other.architecture = Architecture(w1: 4, w2: 4, w3: 3)
        XCTAssertThrowsError(try Trainer(options: other, resumingFrom: t.currentCheckpoint)) { error in
            XCTAssertTrue("\(error)".contains("widths"), "\(error)")
        }
    }

    /// `--init-from`: a run started from a trained 1-channel model with a 2-channel code begins where that
    /// model ended (its first epoch's loss is below a fresh run's) and learns to use the new channel.
    func testGrowingATrainedModelsCode() throws {
        let trained = try train(Self.options(threads: 2, epochs: 3)).model
        var o = Self.options(threads: 2, epochs: 1)
        o.architecture = Architecture(w1: 4, w2: 4, w3: 2, codeChannels: 2)
        func firstEpochLoss(_ trainer: Trainer) throws -> Double {
            var loss = Double.nan
            try trainer.train(source: IDXTiles(Self.images), test: nil, report: { event in
                if case .epochEnd(_, let l, _, _) = event { loss = l }
            }, checkpoint: { _ in })
            return loss
        }
        let grown = try Trainer(options: o, startingFrom: trained)
        let grownLoss = try firstEpochLoss(grown), freshLoss = try firstEpochLoss(Trainer(options: o))
        XCTAssertLessThan(grownLoss, freshLoss)
        // The first decoder conv's weights for the new input channel (index 1 of [3, 3, 2, w3]) started at 0.
        let (offsets, _) = o.architecture.parameterLayout
        let decoderIn = offsets[o.architecture.codeLayer + 1]!.weight
        let newWeights = (0..<9).flatMap { k in (0..<2).map { grown.model.parameters[decoderIn + (k * 2 + 1) * 2 + $0] } }
        XCTAssertTrue(newWeights.contains { $0 != 0 }, "the new channel is used after training")

        var narrower = o
        narrower.architecture = Architecture(w1: 4, w2: 3, w3: 2, codeChannels: 2)
        XCTAssertThrowsError(try Trainer(options: narrower, startingFrom: trained)) { XCTAssertTrue("\($0)".contains("widths"), "\($0)") }
        var shrunk = Self.options(threads: 1)
        shrunk.architecture = Architecture(w1: 4, w2: 4, w3: 2, codeChannels: 1)
        XCTAssertThrowsError(try Trainer(options: shrunk, startingFrom: grown.model))
    }

    func testCheckpointRoundTrip() throws {
        let trainer = try train(Self.options(threads: 2, epochs: 1))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aec-\(UUID().uuidString).ckpt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try trainer.currentCheckpoint.write(to: path)
        let loaded = try Checkpoint.load(from: path)
        XCTAssertEqual(loaded.model.parameters.map(\.bitPattern), trainer.model.parameters.map(\.bitPattern))
        XCTAssertEqual(loaded.adam.m, trainer.adam.m)
        XCTAssertEqual(loaded.adam.v, trainer.adam.v)
        XCTAssertEqual(loaded.adam.step, trainer.adam.step)
        XCTAssertEqual(loaded.epochsCompleted, 1)
        XCTAssertEqual(loaded.seed, 42)
        // A plain model file is not a checkpoint.
        try ModelFile(model: trainer.model).write(to: path)
        XCTAssertThrowsError(try Checkpoint.load(from: path)) { XCTAssertTrue("\($0)".contains("checkpoint"), "\($0)") }
    }

    func testEmptyTrainingSetIsAnError() throws {
        let trainer = Trainer(options: Self.options(threads: 1))
        let empty = try IDXTiles(Self.images, limit: 0)
        XCTAssertThrowsError(try trainer.train(source: empty, test: nil, report: { _ in }, checkpoint: { _ in }))
    }

    func testShuffleIsAPermutationThatChangesPerEpoch() {
        let trainer = Trainer(options: Self.options(threads: 1))
        let a = trainer.order(count: 100, epoch: 0), b = trainer.order(count: 100, epoch: 1)
        XCTAssertEqual(a.sorted(), Array(0..<100))
        XCTAssertEqual(b.sorted(), Array(0..<100))
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a, trainer.order(count: 100, epoch: 0))
    }

    // MARK: Regularizers

    func testMaskingNoiseZeroesAboutQOfThePixels() {
        var o = TrainingOptions()
        o.maskingProbability = 0.3
        let clean = [Float](repeating: 0.5, count: 10_000)
        var noisy = [Float](repeating: 0, count: 10_000)
        Corruption.apply(to: &noisy, clean: clean, count: clean.count, options: o, seed: 1, epoch: 0, index: 0)
        let zeroed = noisy.filter { $0 == 0 }.count
        XCTAssertEqual(Double(zeroed) / 10_000, 0.3, accuracy: 0.02)
        XCTAssertTrue(noisy.allSatisfy { $0 == 0 || $0 == 0.5 })
        // Another image gets another mask.
        var other = noisy
        Corruption.apply(to: &other, clean: clean, count: clean.count, options: o, seed: 1, epoch: 0, index: 1)
        XCTAssertNotEqual(noisy, other)
    }

    func testGaussianNoiseHasTheRequestedSigma() {
        var o = TrainingOptions()
        o.gaussianSigma = 0.1
        let clean = [Float](repeating: 0.5, count: 20_000)
        var noisy = clean
        Corruption.apply(to: &noisy, clean: clean, count: clean.count, options: o, seed: 1, epoch: 3, index: 9)
        let d = zip(noisy, clean).map { Double($0 - $1) }
        let mean = d.reduce(0, +) / Double(d.count)
        let std = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.005)
        XCTAssertEqual(std, 0.1, accuracy: 0.005)
    }

    func testQuantizationNoiseStaysWithinHalfAStep() {
        var code = [Float](repeating: 0.5, count: 5_000)
        Corruption.addQuantizationNoise(&code, count: code.count, bits: 4, seed: 1, epoch: 0, index: 0)
        let step = CodeQuantizer(bits: 4).step
        XCTAssertTrue(code.allSatisfy { abs($0 - 0.5) <= step / 2 })
        XCTAssertGreaterThan(code.map { abs($0 - 0.5) }.max()!, 0.45 * step)
    }

    func testDenoisingTrainsAgainstTheCleanImage() throws {
        // With masking noise the loss is measured against the clean tiles: a model that outputs the clean
        // image has zero loss whatever the noise. Check through BatchGradient on a tiny batch that the
        // target is the clean tile: the loss equals the MSE of the model's output against the clean tile.
        var o = Self.options(threads: 1)
        o.maskingProbability = 0.5
        o.bits = nil
        let model = Autoencoder(architecture: o.architecture, seed: 1)
        let source = try IDXTiles(Self.images)
        let loss = BatchGradient(options: o).compute(model: model, source: source, indices: [0, 1, 2][...], epoch: 0)
        // Recompute by hand: corrupted input through the model, compared with the clean tile.
        let pass = ForwardPass(architecture: o.architecture, capacity: 3)
        var clean = [Float](repeating: 0, count: 3 * 784)
        clean.withUnsafeMutableBufferPointer { c in
            for j in 0..<3 {
                source.tile(j, epoch: 0, into: UnsafeMutableBufferPointer(rebasing: c[(j * 784)..<((j + 1) * 784)]))
                Corruption.apply(to: pass.input + j * 784, clean: c.baseAddress! + j * 784, count: 784,
                                 options: o, seed: o.seed, epoch: 0, index: j)
            }
        }
        model.forward(pass, n: 3)
        let expected = MSELoss.sumOfSquares(pred: pass.output, target: clean, count: 3 * 784) / Double(3 * 784)
        // Equal up to float rounding (the two sum in different orders and scale in float vs double).
        XCTAssertEqual(loss, expected, accuracy: 1e-6 * expected)
    }

    func testSparsityAddsItsTermToTheLoss() throws {
        var o = Self.options(threads: 1)
        o.bits = nil
        let model = Autoencoder(architecture: o.architecture, seed: 1)
        let source = try IDXTiles(Self.images)
        let plain = BatchGradient(options: o).compute(model: model, source: source, indices: [0, 1][...], epoch: 0)
        o.sparsity = 0.5
        let sparse = BatchGradient(options: o)
        let withPenalty = sparse.compute(model: model, source: source, indices: [0, 1][...], epoch: 0)
        // The difference is λ · mean(code), and mean(code) of a sigmoid is in (0, 1).
        let meanCode = (withPenalty - plain) / 0.5
        XCTAssertGreaterThan(meanCode, 0)
        XCTAssertLessThan(meanCode, 1)
    }

    func testEvaluationOfAPerfectReconstructionIs100dB() throws {
        // A source whose tiles are all zero; a model with all-zero parameters outputs sigmoid(0) = 0.5 → 127.5 → 128.
        let zeros = try IDXTiles(IDXImages(count: 4, rows: 28, cols: 28, pixels: [UInt8](repeating: 128, count: 4 * 784)))
        let a = Architecture(w1: 2, w2: 2, w3: 2)
        let model = Autoencoder(architecture: a, parameters: [Float](repeating: 0, count: a.parameterLayout.count))
        let result = Evaluation.run(model: model, source: zeros, bits: 6, threads: 2)
        XCTAssertEqual(result.tiles, 4)
        XCTAssertEqual(result.meanPSNR, Evaluation.identicalPSNR)
        // One grey level off everywhere: MSE 1 → 48.13 dB.
        let off = try IDXTiles(IDXImages(count: 2, rows: 28, cols: 28, pixels: [UInt8](repeating: 127, count: 2 * 784)))
        XCTAssertEqual(Evaluation.run(model: model, source: off, bits: nil).meanPSNR, 10 * log10(255.0 * 255), accuracy: 1e-9)
    }
}
