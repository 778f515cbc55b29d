import AECBase
import AECNet

/// Computes the loss and the gradient of one mini-batch, in parallel over shards of
/// `TrainingOptions.shardSize` images, with a result that does not depend on the number of threads.
///
/// Each shard runs forward and backward on one thread into its own gradient buffer; the buffers are then
/// added in shard order. Every random draw (input corruption, quantization noise) is seeded from
/// (seed, epoch, image index), never from which thread ran it.
public final class BatchGradient {
    public let options: TrainingOptions
    let passes: [ForwardPass]          // one per worker thread
    let targets: [UnsafeMutablePointer<Float>]  // clean tiles of each worker's shard
    let codeGradients: [UnsafeMutablePointer<Float>]
    /// Per shard: the network's parameter gradient, then (with rate-aware training) the rate model's.
    var shardGradients: [[Float]]
    let parameterCount: Int
    /// The summed gradient of the last `compute` call (same layout as the model's parameters).
    public private(set) var gradient: [Float]
    /// ∂L/∂(rate model logits) of the last `compute` call (empty without rate-aware training).
    public private(set) var rateGradient: [Float]
    /// Mean estimated bits per tile of the last `compute` call (0 without rate-aware training).
    public private(set) var rateBitsPerTile = 0.0

    public init(options: TrainingOptions) {
        self.options = options
        let a = options.architecture
        let workers = max(1, options.threads)
        let shard = TrainingOptions.shardSize
        let side = options.cropSide, tile = side * side
        passes = (0..<workers).map { _ in ForwardPass(architecture: a, capacity: shard, height: side, width: side) }
        let codeCount = passes[0].codeCount  // (side/4)·(side/4)·codeChannels
        targets = (0..<workers).map { _ in .allocate(capacity: shard * tile) }
        codeGradients = (0..<workers).map { _ in .allocate(capacity: shard * codeCount) }
        parameterCount = a.parameterLayout.count
        let rateCount = options.rateLambda > 0 ? options.ratePositions << (options.bits ?? 0) : 0
        let shards = (options.batchSize + shard - 1) / shard
        shardGradients = (0..<shards).map { _ in [Float](repeating: 0, count: a.parameterLayout.count + rateCount) }
        gradient = [Float](repeating: 0, count: parameterCount)
        rateGradient = [Float](repeating: 0, count: rateCount)
    }

    deinit {
        targets.forEach { $0.deallocate() }
        codeGradients.forEach { $0.deallocate() }
    }

    /// Loss (MSE over the batch's pixels, plus the sparsity and rate terms) and gradient of `model` on the
    /// tiles `indices` of `source` in `epoch`. The gradient is left in `gradient` (the rate model's, when
    /// `options.rateLambda > 0`, in `rateGradient`).
    @discardableResult
    public func compute(model: Autoencoder, source: any TileSource, indices: ArraySlice<Int>, epoch: Int,
                        rateModel: RateModel? = nil) -> Double {
        let shard = TrainingOptions.shardSize
        precondition(source.side == options.cropSide, "tiles of \(source.side)×\(source.side) for a run on \(options.cropSide)×\(options.cropSide) crops")
        let tile = options.cropSide * options.cropSide
        let codeCount = passes[0].codeCount
        let batch = indices.count
        let shards = (batch + shard - 1) / shard
        precondition(shards <= shardGradients.count, "batch larger than the batch size this was made for")
        let opts = options
        let rate = opts.rateLambda > 0 ? rateModel : nil
        precondition(opts.rateLambda == 0 || rate != nil, "rate-aware training needs a rate model")
        let probabilities = rate?.probabilities() ?? []
        let mseScale = 1 / Float(batch * tile)
        let sparsityGradient = opts.sparsity / Float(batch * codeCount)
        let rateScale = opts.rateLambda / Float(batch * codeCount)
        let parameterCount = self.parameterCount
        var results = [(loss: Double, bits: Double)](repeating: (0, 0), count: shards)

        shardGradients.withUnsafeMutableBufferPointer { grads in
            results.withUnsafeMutableBufferPointer { results in
                Parallel.forEach(shards, threads: passes.count) { worker, s in
                    let pass = passes[worker], target = targets[worker], codeGradient = codeGradients[worker]
                    let first = indices.startIndex + s * shard
                    let ids = Array(indices[first..<min(first + shard, indices.endIndex)])
                    let n = ids.count
                    for (j, index) in ids.enumerated() {
                        source.tile(index, epoch: epoch,
                                    into: UnsafeMutableBufferPointer(start: target + j * tile, count: tile))
                        Corruption.apply(to: pass.input + j * tile, clean: target + j * tile, count: tile,
                                         options: opts, seed: opts.seed, epoch: epoch, index: index)
                    }
                    model.forward(pass, n: n) { code, n in
                        guard let bits = opts.bits else { return }
                        for j in 0..<n {
                            Corruption.addQuantizationNoise(code + j * codeCount, count: codeCount, bits: bits,
                                                            seed: opts.seed, epoch: epoch, index: ids[j])
                        }
                    }
                    var loss = MSELoss.sumOfSquares(pred: pass.output, target: target, count: n * tile)
                        * Double(mseScale)
                    MSELoss.backward(dPred: pass.outputGradient, pred: pass.output, target: target,
                                     count: n * tile, scale: mseScale)
                    grads[s].withUnsafeMutableBufferPointer { g in
                        g.update(repeating: 0)
                        // Extra terms on the code: L1 sparsity (|c| = c for a sigmoid output, so the gradient
                        // is λ / (batch · codeCount) everywhere) and the rate, scored on the noisy code the
                        // decoder saw (its gradient passes to the code unchanged).
                        codeGradient.update(repeating: sparsityGradient, count: n * codeCount)
                        if opts.sparsity > 0 {
                            var l1 = 0.0
                            for i in 0..<(n * codeCount) { l1 += Double(pass.code[i]) }
                            loss += Double(opts.sparsity) * l1 / Double(batch * codeCount)
                        }
                        var bits = 0.0
                        if let rate {
                            bits = rate.rate(code: pass.decoderInput, count: n * codeCount, probabilities: probabilities, scale: rateScale,
                                             codeGradient: codeGradient, logitGradient: g.baseAddress! + parameterCount)
                            loss += Double(rateScale) * bits
                        }
                        let extra = opts.sparsity > 0 || rate != nil
                        model.backward(pass, n: n, gradients: g.baseAddress!, codeGradient: extra ? UnsafePointer(codeGradient) : nil)
                        results[s] = (loss, bits)
                    }
                }
            }
        }
        // Fixed-order reduction.
        gradient.withUnsafeMutableBufferPointer { g in
            rateGradient.withUnsafeMutableBufferPointer { r in
                g.update(repeating: 0)
                r.update(repeating: 0)
                for s in 0..<shards {
                    shardGradients[s].withUnsafeBufferPointer { sg in
                        for i in 0..<g.count { g[i] += sg[i] }
                        for i in 0..<r.count { r[i] += sg[parameterCount + i] }
                    }
                }
            }
        }
        rateBitsPerTile = results.reduce(0) { $0 + $1.bits } / Double(batch)
        return results.reduce(0) { $0 + $1.loss }
    }
}
