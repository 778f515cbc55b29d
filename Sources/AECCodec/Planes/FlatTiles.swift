import AECNet

/// Tiles whose samples are all equal, coded exactly instead of through the network (format version 3).
///
/// The network learned Fashion-MNIST and draws a flat tile of an arbitrary level with visible errors (a
/// flat white image came back with corners at 43; a 1×1 pure blue pixel as (0, 86, 0)). So before each
/// tile's code symbols, the payload holds a flag from `flagTable`: 0 for a tile coded by the network, 1 for
/// a flat tile, followed by its level in 10 bits from `levelTable`, and no code symbols. A flat tile costs
/// 22 bits; a network tile pays 0.0004 bits for its flag (16 of 65,536).
public enum FlatTiles {
    /// Levels of a flat tile: its value in [0, 1] rounded to 10 bits, so that Y, Cb and Cr each stay within
    /// 1/8 of an 8-bit step (a flat image comes back within ±2 levels per RGB channel).
    public static let levelBits = 10
    static let levelMax = (1 << levelBits) - 1

    /// Flag 0 (network tile) 65,520 of 65,536, flag 1 (flat tile) 16.
    static let flagTable = try! FrequencyTable(frequencies: [FrequencyTable.total - 16, 16])
    /// Every level equally likely.
    static let levelTable = try! FrequencyTable(frequencies: [UInt32](repeating: FrequencyTable.total >> levelBits, count: 1 << levelBits))

    /// The level of a tile ([28·28] values) whose values are all equal, nil otherwise.
    static func level(ofTile tile: UnsafeBufferPointer<Float>) -> Int? {
        let first = tile[0]
        for v in tile where v != first { return nil }
        return Int((min(max(first, 0), 1) * Float(levelMax)).rounded())
    }

    /// The sample value of a level.
    static func value(ofLevel level: Int) -> Float { Float(level) / Float(levelMax) }

    /// The fewest bits a tile can cost in a version-3 payload: a flag plus either the code symbols at their
    /// cheapest or a level (`FrequencyTable.leastCost`).
    static func leastBitsPerTile(symbols: Int, leastBitsPerSymbol: Double) -> Double {
        flagTable.leastCost + min(Double(symbols) * leastBitsPerSymbol, levelTable.leastCost)
    }
}
