import AECBase
/// Growing a trained model's code: the same network with more code channels, which reconstructs as the
/// original did (up to rounding) until training teaches it to use the new channels.
///
/// `aec-train --init-from` uses this when `--code-channels` is larger than the starting model's. Measured
/// on the default model grown to 7×7×4 (Docs/TRAINING.md), it did not beat training from scratch: the new
/// channels' zero decoder weights and the encoder's missing gradient through them form a saddle that Adam
/// leaves slowly.
extension Autoencoder {
    /// This model with `codeChannels` (≥ the current count) code channels.
    ///
    /// Every layer is copied except the two that touch the code:
    /// - the code conv (weight [3, 3, w3, C]) gains output channels C..<C', He-initialised from `seed`
    ///   (N(0, 2/(9·w3))) with bias 0, so the new channels carry something the decoder can learn from;
    /// - the first decoder conv (weight [3, 3, C, w3]) gains input channels C..<C' with weight 0, so the
    ///   new channels do not change the reconstruction yet.
    public func widened(toCodeChannels codeChannels: Int, seed: UInt64) -> Autoencoder {
        let old = architecture
        precondition(codeChannels >= old.codeChannels, "a model's code can only grow")
        let new = Architecture(w1: old.w1, w2: old.w2, w3: old.w3, codeChannels: codeChannels)
        let (oldOffsets, _) = old.parameterLayout
        let (newOffsets, count) = new.parameterLayout
        var p = [Float](repeating: 0, count: count)
        var rng = SplitMix64(seed: seed, stream: 0xC0DE)
        let (c0, c1) = (old.codeChannels, codeChannels)

        for i in old.layers.indices {
            guard case .conv(let cin, let cout, _) = old.layers[i], let from = oldOffsets[i], let to = newOffsets[i]
            else { continue }
            if i == old.codeLayer {
                // weight [3, 3, cin, c0] → [3, 3, cin, c1]: old output channels copied, new ones random.
                let std = Self.heStandardDeviation(cin: cin)
                for tap in 0..<(9 * cin) {
                    for o in 0..<c1 {
                        p[to.weight + tap * c1 + o] = o < c0 ? parameters[from.weight + tap * c0 + o] : std * rng.nextGaussian()
                    }
                }
                for o in 0..<c0 { p[to.bias + o] = parameters[from.bias + o] }
            } else if i == old.codeLayer + 1 {
                // weight [3, 3, c0, cout] → [3, 3, c1, cout]: new input channels get weight 0.
                for k in 0..<9 {
                    for c in 0..<c0 {
                        for o in 0..<cout { p[to.weight + (k * c1 + c) * cout + o] = parameters[from.weight + (k * c0 + c) * cout + o] }
                    }
                }
                for o in 0..<cout { p[to.bias + o] = parameters[from.bias + o] }
            } else {
                let n = 9 * cin * cout + cout
                for j in 0..<n { p[to.weight + j] = parameters[from.weight + j] }
            }
        }
        return Autoencoder(architecture: new, parameters: p)
    }
}
