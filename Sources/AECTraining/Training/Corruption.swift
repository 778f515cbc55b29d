import AECBase
import AECNet

/// The notes' regularizers that perturb what the network sees, each drawn from a stream seeded by
/// (seed, epoch, image index, purpose) so that results do not depend on threads.
enum Corruption {
    /// Writes the network input for one tile: the clean tile with masking noise (each pixel zeroed with
    /// probability q) and additive Gaussian noise (σ), when those are enabled.
    static func apply(to input: UnsafeMutablePointer<Float>, clean: UnsafePointer<Float>, count: Int,
                      options: TrainingOptions, seed: UInt64, epoch: Int, index: Int) {
        input.update(from: clean, count: count)
        let q = options.maskingProbability, sigma = options.gaussianSigma
        guard q > 0 || sigma > 0 else { return }
        var rng = SplitMix64(seed: seed, stream: UInt64(epoch), UInt64(index), 1)
        for i in 0..<count {
            if q > 0 && rng.nextUnitFloat() < q { input[i] = 0 }
            if sigma > 0 { input[i] += sigma * rng.nextGaussian() }
        }
    }

    /// Quantization-aware training: adds uniform noise in [−step/2, step/2) to each code value, the
    /// differentiable stand-in for rounding to `bits` bits.
    static func addQuantizationNoise(_ code: UnsafeMutablePointer<Float>, count: Int, bits: Int,
                                     seed: UInt64, epoch: Int, index: Int) {
        let step = CodeQuantizer(bits: bits).step
        var rng = SplitMix64(seed: seed, stream: UInt64(epoch), UInt64(index), 2)
        for i in 0..<count { code[i] += step * (rng.nextUnitFloat() - 0.5) }
    }
}
