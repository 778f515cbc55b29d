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
    var shardGradients: [[Float]]
    /// The summed gradient of the last `compute` call (same layout as the model's parameters).
    public private(set) var gradient: [Float]

    public init(options: TrainingOptions) {
        self.options = options
        let a = options.architecture
        let workers = max(1, options.threads)
        let shard = TrainingOptions.shardSize
        let tile = Architecture.tileSide * Architecture.tileSide
        passes = (0..<workers).map { _ in ForwardPass(architecture: a, capacity: shard) }
        targets = (0..<workers).map { _ in .allocate(capacity: shard * tile) }
        codeGradients = (0..<workers).map { _ in .allocate(capacity: shard * a.codeCount) }
        let shards = (options.batchSize + shard - 1) / shard
        shardGradients = (0..<shards).map { _ in [Float](repeating: 0, count: a.parameterLayout.count) }
        gradient = [Float](repeating: 0, count: a.parameterLayout.count)
    }

    deinit {
        targets.forEach { $0.deallocate() }
        codeGradients.forEach { $0.deallocate() }
    }

    /// Loss (MSE over the batch's pixels, plus the sparsity term) and gradient of `model` on the tiles
    /// `indices` of `source` in `epoch`. The gradient is left in `gradient`.
    @discardableResult
    public func compute(model: Autoencoder, source: any TileSource, indices: ArraySlice<Int>, epoch: Int) -> Double {
        let shard = TrainingOptions.shardSize
        let tile = Architecture.tileSide * Architecture.tileSide
        let codeCount = model.architecture.codeCount
        let batch = indices.count
        let shards = (batch + shard - 1) / shard
        precondition(shards <= shardGradients.count, "batch larger than the batch size this was made for")
        var shardLosses = [Double](repeating: 0, count: shards)
        let mseScale = 1 / Float(batch * tile)
        let sparsityGradient = options.sparsity / Float(batch * codeCount)
        let opts = options

        shardGradients.withUnsafeMutableBufferPointer { grads in
            shardLosses.withUnsafeMutableBufferPointer { losses in
                Parallel.forEach(shards, threads: passes.count) { worker, s in
                    let pass = passes[worker], target = targets[worker]
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
                    var codeGradient: UnsafePointer<Float>? = nil
                    if opts.sparsity > 0 {
                        // L1 of a sigmoid output: |c| = c, so ∂/∂c = λ / (batch · codeCount) everywhere.
                        var l1 = 0.0
                        for i in 0..<(n * codeCount) { l1 += Double(pass.code[i]) }
                        loss += Double(opts.sparsity) * l1 / Double(batch * codeCount)
                        codeGradients[worker].update(repeating: sparsityGradient, count: n * codeCount)
                        codeGradient = UnsafePointer(codeGradients[worker])
                    }
                    losses[s] = loss
                    grads[s].withUnsafeMutableBufferPointer { g in
                        g.update(repeating: 0)
                        model.backward(pass, n: n, gradients: g.baseAddress!, codeGradient: codeGradient)
                    }
                }
            }
        }
        // Fixed-order reduction.
        gradient.withUnsafeMutableBufferPointer { g in
            g.update(repeating: 0)
            for s in 0..<shards {
                shardGradients[s].withUnsafeBufferPointer { sg in
                    for i in 0..<g.count { g[i] += sg[i] }
                }
            }
        }
        return shardLosses.reduce(0, +)
    }
}
