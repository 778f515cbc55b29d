import AECBase
import AECNet

/// Everything that determines a training run. The same options, data and seed give bit-identical weights,
/// whatever the number of threads.
public struct TrainingOptions: Sendable {
    public var architecture = Architecture(w1: 32, w2: 32, w3: 16)
    public var epochs = 10
    public var batchSize = 64
    public var learningRate: Float = 2e-3
    /// Cosine decay with warm-up (the default), or a constant rate.
    public var cosineSchedule = true
    public var warmupSteps = 200
    /// Final learning rate as a fraction of the peak, for the cosine schedule.
    public var finalLearningRateFraction: Float = 0.02
    public var seed: UInt64 = 1
    /// Quantization-aware training: uniform noise of one quantization step at this bit depth is added to
    /// the code during training; the test PSNR uses the code rounded to it. nil: no noise, no rounding.
    public var bits: Int? = 6
    /// Denoising: each input pixel is zeroed with this probability (the loss is against the clean tile).
    public var maskingProbability: Float = 0
    /// Denoising: additive Gaussian noise of this standard deviation on the input (pixels in [0, 1]).
    public var gaussianSigma: Float = 0
    /// Sparsity: λ · mean |code| is added to the loss.
    public var sparsity: Float = 0
    /// Rate-aware training: λ · (mean over the batch's code values of the estimated bits, see `RateModel`)
    /// is added to the loss. Needs `bits`. 0: off.
    public var rateLambda: Float = 0
    /// The rate model's learning rate as a multiple of the network's (1: the same). Its distributions
    /// start uniform and must follow the code quickly, or a short run pays the rate of codes it no longer
    /// makes; a larger multiple lets them.
    public var rateLearningRateScale: Float = 1
    public var threads = Parallel.coreCount
    /// The training tiles' side: 28 (the notes' tiles), or larger crops (a multiple of 4) so that the
    /// network learns what whole-image coding shows it. With crops larger than a tile the rate model has
    /// one distribution per code channel, not per position (`RateModel`): a whole image's code has no
    /// fixed grid.
    public var cropSide = Architecture.tileSide

    /// The rate model's positions for these options: every value of a 7×7 tile code, or every channel.
    public var ratePositions: Int {
        cropSide == Architecture.tileSide ? architecture.codeCount : architecture.codeChannels
    }

    public init() {}

    /// Images per shard: a batch is cut into shards of this many images, each shard's gradient is computed
    /// on one thread, and the shards are summed in order — which is what makes the result independent of
    /// the thread count. Fixed, not tuned per machine, for the same reason.
    public static let shardSize = 8

    public func schedule(stepsPerEpoch: Int) -> LearningRateSchedule {
        cosineSchedule
            ? .cosine(peak: learningRate, warmup: warmupSteps, total: epochs * stepsPerEpoch,
                      floor: finalLearningRateFraction)
            : .constant(learningRate)
    }
}
