import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, seedable generator. Everything random in aec —
/// initial weights, shuffles, noise — draws from one of these, seeded from the user's seed and the position
/// of the draw (`SplitMix64(seed:stream:)`), so results never depend on thread scheduling.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one independent stream, e.g. (seed, epoch, image index).
    public init(seed: UInt64, stream: UInt64...) {
        var s = SplitMix64(seed: seed)
        for x in stream { s = SplitMix64(seed: s.next() ^ (x &* 0x9E37_79B9_7F4A_7C15)) }
        self = s
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0..<bound (bound ≥ 1), by multiply-high range reduction.
    public mutating func next(below bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Standard normal (Box–Muller, one value per call).
    public mutating func nextGaussian() -> Float {
        let u1 = Double(next() >> 11) * 0x1p-53, u2 = Double(next() >> 11) * 0x1p-53
        return Float(sqrt(-2 * log(1 - u1)) * cos(2 * Double.pi * u2))
    }
}
