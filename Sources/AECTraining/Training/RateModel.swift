import AECNet
import Foundation

/// A differentiable estimate of what the code will cost, for rate-aware training.
///
/// For every code position a learned categorical distribution over the 2^B quantization bins,
/// p = softmax(logits). A position is a code value's index modulo `positions`: with `positions` = 7·7·channels
/// (training on 28×28 tiles) every value of the tile's code has its own distribution; with `positions` =
/// channels (training on larger crops, whose code is coded whole) each channel has one, shared by every place
/// in the code — the code is channels-last, so index mod channels is the channel. The training code — continuous, with quantization noise — is
/// scored by linear interpolation between its two neighbouring bins: with u = c·(2^B − 1), k = ⌊u⌋ (kept
/// in 0…2^B − 2) and t = u − k,
///
///     p(c) = (1 − t)·p[k] + t·p[k + 1],        rate(c) = −log2 p(c)  bits
///
/// Adding λ · (mean bits per tile) to the loss trains the encoder towards codes that a static per-position
/// table codes cheaply, and the distributions towards the codes' actual statistics. The distributions are
/// a training device only: the shipped entropy tables are counted from the final model's codes.
public struct RateModel: Sendable, Equatable {
    public let bits: Int
    public let positions: Int
    /// [positions × 2^bits] logits.
    public var logits: [Float]

    /// Uniform distributions (all logits 0).
    public init(bits: Int, positions: Int) {
        self.bits = bits
        self.positions = positions
        logits = [Float](repeating: 0, count: positions << bits)
    }

    public init(bits: Int, positions: Int, logits: [Float]) {
        precondition(logits.count == positions << bits, "RateModel: \(logits.count) logits for \(positions) positions of \(1 << bits) bins")
        self.bits = bits; self.positions = positions; self.logits = logits
    }

    public var bins: Int { 1 << bits }

    /// softmax(logits) per position, [positions × bins], computed once per batch and shared by threads.
    public func probabilities() -> [Float] {
        var p = [Float](repeating: 0, count: logits.count)
        for pos in 0..<positions {
            let row = (pos * bins)..<((pos + 1) * bins)
            let top = logits[row].max() ?? 0
            var sum: Float = 0
            for i in row { p[i] = Foundation.exp(logits[i] - top); sum += p[i] }
            for i in row { p[i] /= sum }
        }
        return p
    }

    /// The total rate in bits of the `count` code values at `code` (whole codes, so `count` is a multiple
    /// of `positions`), given `probabilities()`. Adds `scale` · ∂rate/∂code into `codeGradient` and
    /// `scale` · ∂rate/∂logits into `logitGradient`.
    public func rate(code: UnsafePointer<Float>, count: Int, probabilities p: [Float], scale: Float,
                     codeGradient: UnsafeMutablePointer<Float>, logitGradient: UnsafeMutablePointer<Float>) -> Double {
        precondition(count % positions == 0, "RateModel: \(count) code values are not whole codes of \(positions) positions")
        let top = Float(bins - 1), ln2 = Float(M_LN2)
        var total = 0.0
        for j in 0..<(count / positions) {
            for pos in 0..<positions {
                let i = j * positions + pos
                let u = min(max(code[i], 0), 1) * top
                let k = min(Int(u), bins - 2)
                let t = u - Float(k)
                let row = pos * bins
                let pk = p[row + k], pk1 = p[row + k + 1]
                let pc = max((1 - t) * pk + t * pk1, 1e-12)
                total += -Double(log2(pc))
                // ∂(−log2 p(c))/∂c = −(p[k+1] − p[k])·(2^B − 1) / (p(c)·ln 2), zero where c was clamped.
                let g = -scale / (pc * ln2)
                if code[i] > 0 && code[i] < 1 { codeGradient[i] += g * (pk1 - pk) * top }
                // ∂p(c)/∂logit[m] = (1 − t)·p[k]·(δ(m,k) − p[m]) + t·p[k+1]·(δ(m,k+1) − p[m])
                let w = (1 - t) * pk, w1 = t * pk1
                let lg = logitGradient + row
                for m in 0..<bins { lg[m] -= g * (w + w1) * p[row + m] }
                lg[k] += g * w
                lg[k + 1] += g * w1
            }
        }
        return total
    }
}
