import AECBase
import AECNet
import Foundation

/// The training loop: shuffled mini-batches, Adam with a learning-rate schedule, a test evaluation and a
/// checkpoint after every epoch.
public final class Trainer {
    public let options: TrainingOptions
    public private(set) var model: Autoencoder
    public private(set) var adam: Adam
    /// With rate-aware training: the code's learned distributions and their optimizer.
    public private(set) var rateModel: RateModel?
    public private(set) var rateAdam: Adam?
    public private(set) var epochsCompleted = 0
    let batchGradient: BatchGradient

    /// What the trainer reports while it runs.
    public enum Event {
        /// Every few seconds: step within the epoch, mean loss since the last report, speed, time left.
        /// `codeBytes`: with rate-aware training, the rate model's estimate of the code's bytes per tile.
        case progress(epoch: Int, step: Int, steps: Int, loss: Double, imagesPerSecond: Double, secondsLeft: Double,
                      codeBytes: Double?)
        case epochEnd(epoch: Int, trainLoss: Double, test: Evaluation.Result?, seconds: Double)
    }

    /// A fresh model, He-initialised from the seed.
    public init(options: TrainingOptions) {
        self.options = options
        model = Autoencoder(architecture: options.architecture, seed: options.seed)
        adam = Adam(parameterCount: model.parameters.count)
        if options.rateLambda > 0, let bits = options.bits {
            let rate = RateModel(bits: bits, positions: options.ratePositions)
            rateModel = rate
            rateAdam = Adam(parameterCount: rate.logits.count)
        }
        batchGradient = BatchGradient(options: options)
    }

    /// Starts from a trained model's weights (with a fresh optimizer) instead of random ones: fine-tuning,
    /// or a model grown to `options.architecture`'s code channels (`Autoencoder.widened`). The widths must
    /// match, and the code can only grow.
    public convenience init(options: TrainingOptions, startingFrom start: Autoencoder) throws {
        let a = start.architecture, b = options.architecture
        guard a.w1 == b.w1, a.w2 == b.w2, a.w3 == b.w3, a.codeChannels <= b.codeChannels else {
            throw TrainingError("the starting model has widths \(a), which cannot become \(b) (same widths, code channels can only grow)")
        }
        self.init(options: options)
        model = start.widened(toCodeChannels: b.codeChannels, seed: options.seed)
    }

    /// Continues from a checkpoint, which must have been made with the same architecture, seed and batch size.
    public init(options: TrainingOptions, resumingFrom checkpoint: Checkpoint) throws {
        guard checkpoint.model.architecture == options.architecture else {
            throw CheckpointMismatch.widths(checkpoint: checkpoint.model.architecture, options: options.architecture)
        }
        guard checkpoint.seed == options.seed, checkpoint.batchSize == options.batchSize else {
            throw CheckpointMismatch.seedOrBatchSize(seed: checkpoint.seed, batchSize: checkpoint.batchSize)
        }
        guard (checkpoint.rate != nil) == (options.rateLambda > 0) else {
            throw CheckpointMismatch.rateAware(checkpoint.rate != nil)
        }
        if let rate = checkpoint.rate, rate.model.bits != options.bits {
            throw CheckpointMismatch.rateBits(rate.model.bits)
        }
        if let rate = checkpoint.rate, rate.model.positions != options.ratePositions {
            throw CheckpointMismatch.ratePositions(rate.model.positions)
        }
        self.options = options
        model = checkpoint.model
        adam = checkpoint.adam
        rateModel = checkpoint.rate?.model
        rateAdam = checkpoint.rate?.adam
        epochsCompleted = checkpoint.epochsCompleted
        batchGradient = BatchGradient(options: options)
    }

    /// The order of the training tiles in `epoch`: a Fisher–Yates shuffle seeded by (seed, epoch).
    public func order(count: Int, epoch: Int) -> [Int] {
        var rng = SplitMix64(seed: options.seed, stream: UInt64(epoch), 0x5EED)
        var order = Array(0..<count)
        order.shuffle(using: &rng)
        return order
    }

    /// Trains from `epochsCompleted` to `options.epochs`. After each epoch the test set (if any) is
    /// evaluated and `checkpoint(self)` is called.
    public func train(source: any TileSource, test: (any TileSource)?, testLimit: Int? = nil,
                      report: (Event) -> Void, checkpoint: (Trainer) throws -> Void) throws {
        guard source.count > 0 else { throw TrainingError("the training set is empty") }
        let steps = (source.count + options.batchSize - 1) / options.batchSize
        let schedule = options.schedule(stepsPerEpoch: steps)
        let runStart = Date()
        var imagesDone = 0
        let imagesTotal = (options.epochs - epochsCompleted) * source.count
        while epochsCompleted < options.epochs {
            let epoch = epochsCompleted
            let epochStart = Date()
            let order = self.order(count: source.count, epoch: epoch)
            var lossSum = 0.0, lossWindow = 0.0, bitsWindow = 0.0, windowSteps = 0
            var lastReport = Date()
            for step in 0..<steps {
                let batch = order[(step * options.batchSize)..<min((step + 1) * options.batchSize, order.count)]
                let loss = batchGradient.compute(model: model, source: source, indices: batch, epoch: epoch,
                                                 rateModel: rateModel)
                guard loss.isFinite else {
                    throw TrainingError("the loss became \(loss) at epoch \(epoch + 1), step \(step + 1); lower the learning rate")
                }
                let learningRate = schedule.rate(at: adam.step)
                adam.update(parameters: &model.parameters, gradients: batchGradient.gradient, learningRate: learningRate)
                if rateModel != nil {
                    rateAdam!.update(parameters: &rateModel!.logits, gradients: batchGradient.rateGradient,
                                     learningRate: learningRate * options.rateLearningRateScale)
                }
                lossSum += loss; lossWindow += loss; bitsWindow += batchGradient.rateBitsPerTile; windowSteps += 1
                imagesDone += batch.count
                if Date().timeIntervalSince(lastReport) >= 2 || step == steps - 1 {
                    let elapsed = Date().timeIntervalSince(runStart)
                    let speed = Double(imagesDone) / max(elapsed, 1e-9)
                    report(.progress(epoch: epoch + 1, step: step + 1, steps: steps, loss: lossWindow / Double(windowSteps),
                                     imagesPerSecond: speed, secondsLeft: Double(imagesTotal - imagesDone) / speed,
                                     codeBytes: rateModel == nil ? nil : bitsWindow / Double(windowSteps) / 8))
                    lossWindow = 0; bitsWindow = 0; windowSteps = 0; lastReport = Date()
                }
            }
            let result = test.map {
                Evaluation.run(model: model, source: $0, count: testLimit, bits: options.bits, threads: options.threads)
            }
            epochsCompleted += 1
            report(.epochEnd(epoch: epoch + 1, trainLoss: lossSum / Double(steps), test: result,
                             seconds: Date().timeIntervalSince(epochStart)))
            try checkpoint(self)
        }
    }

    public var currentCheckpoint: Checkpoint {
        Checkpoint(model: model, adam: adam, epochsCompleted: epochsCompleted, seed: options.seed,
                   batchSize: options.batchSize, rate: rateModel.map { ($0, rateAdam!) })
    }
}

public struct TrainingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A checkpoint that does not go with the options a run was resumed with.
public enum CheckpointMismatch: Error, Equatable, CustomStringConvertible {
    case widths(checkpoint: Architecture, options: Architecture)
    case seedOrBatchSize(seed: UInt64, batchSize: Int)
    /// Whether the checkpoint was made with rate-aware training (the options say the opposite).
    case rateAware(Bool)
    /// The bits the checkpoint's rate model is for.
    case rateBits(Int)
    /// The positions of the checkpoint's rate model (per tile position, or per channel for larger crops).
    case ratePositions(Int)

    public var description: String {
        switch self {
        case let .widths(checkpoint, options): return "the checkpoint has widths \(checkpoint), not \(options)"
        case let .seedOrBatchSize(seed, batchSize):
            return "the checkpoint was made with seed \(seed) and batch size \(batchSize); pass the same options to resume"
        case .rateAware(let with): return "the checkpoint was made \(with ? "with" : "without") rate-aware training"
        case .rateBits(let bits): return "the checkpoint's rate model is for \(bits) bits"
        case .ratePositions(let positions):
            return "the checkpoint's rate model has \(positions) positions; resume with the same --crop-size"
        }
    }
}

extension Trainer {
    /// Seconds per optimizer step (one full batch), best of several, for benchmarks. Changes the model.
    public func timeSteps(source: any TileSource, seconds: Double) -> Double {
        let indices = Array(0..<min(options.batchSize, source.count))[...]
        let schedule = LearningRateSchedule.constant(1e-4)
        func step() {
            batchGradient.compute(model: model, source: source, indices: indices, epoch: 0)
            adam.update(parameters: &model.parameters, gradients: batchGradient.gradient,
                        learningRate: schedule.rate(at: adam.step))
        }
        step()
        var best = Double.infinity
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            let start = Date()
            for _ in 0..<3 { step() }
            best = min(best, Date().timeIntervalSince(start) / 3)
        } while Date() < deadline
        return best
    }
}
