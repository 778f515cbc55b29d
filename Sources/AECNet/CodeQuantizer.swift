/// Uniform quantization of the bounded code (values in [0, 1], the code layer's sigmoid output) to B bits:
/// 2^B levels at k / (2^B − 1), k = 0 … 2^B − 1.
public struct CodeQuantizer: Equatable, Sendable {
    public let bits: Int

    public init(bits: Int) {
        precondition((1...16).contains(bits), "bits must be in 1...16")
        self.bits = bits
    }

    /// The largest symbol, 2^B − 1.
    public var maxSymbol: Int { (1 << bits) - 1 }
    /// The distance between two levels, 1 / (2^B − 1).
    public var step: Float { 1 / Float(maxSymbol) }

    /// The nearest level's index for a code value (clamped to [0, 1]; NaN maps to 0).
    @inline(__always)
    public func symbol(_ value: Float) -> Int {
        guard value > 0 else { return 0 }
        return Int((min(value, 1) * Float(maxSymbol)).rounded(.toNearestOrAwayFromZero))
    }

    @inline(__always)
    public func value(_ symbol: Int) -> Float { Float(symbol) / Float(maxSymbol) }

    /// Replaces each of `count` code values by its nearest level (what the decoder will see).
    public func quantize(_ code: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { code[i] = value(symbol(code[i])) }
    }
}
