import AECBase
import AECNet
import Foundation

/// The static probability model of a tile's quantized code symbols, for one bit depth: which frequency
/// table codes each symbol. Learned from training data after training (`fit`) and stored in the model
/// file, so encoder and decoder use the same integers.
///
/// Symbols of a tile are coded in code order: position (y, x) of the 7×7 grid in raster order, and within a
/// position channel by channel — index `(y·7 + x)·channels + ch`, the network's channels-last layout.
/// The layouts:
///
/// - `pooled`: one table per code channel.
/// - `perPosition`: one table per (position, channel).
/// - `perPositionAndNeighbour`: one table per (position, channel, context), where the context is the
///   already-coded neighbours of the same channel — the mean of the left and upper symbols (just one of
///   them on the first row or column, none at the corner) — cut into `contextBuckets` equal ranges.
/// - `perPositionAndTwoNeighbours`: one table per (position, channel, left range, upper range): the left
///   and the upper symbol each cut into `contextBuckets` equal ranges, or "none" on the first column / row.
public struct EntropyModel: Equatable, Sendable {
    public enum Layout: UInt8, Sendable, CaseIterable {
        case pooled = 0
        case perPosition = 1
        case perPositionAndNeighbour = 2
        case perPositionAndTwoNeighbours = 3
    }

    public let bits: Int
    public let codeChannels: Int
    public let layout: Layout
    /// Neighbour ranges for the neighbour layouts (1 otherwise).
    public let contextBuckets: Int
    public let tables: [FrequencyTable]
    /// The fewest bits any symbol can cost with these tables (`FrequencyTable.leastCost`). A payload
    /// shorter than its symbol count times this cannot be complete (`Codec` checks before decoding).
    public let leastBitsPerSymbol: Double

    public static let side = Architecture.codeSide

    public init(bits: Int, codeChannels: Int, layout: Layout, contextBuckets: Int, tables: [FrequencyTable]) throws {
        self.bits = bits; self.codeChannels = codeChannels; self.layout = layout
        self.contextBuckets = layout.usesNeighbours ? contextBuckets : 1
        self.tables = tables
        leastBitsPerSymbol = tables.lazy.map(\.leastCost).min() ?? 0
        guard (1...16).contains(bits), codeChannels >= 1, self.contextBuckets >= 1,
              tables.count == Self.tableCount(layout: layout, codeChannels: codeChannels, contextBuckets: self.contextBuckets),
              tables.allSatisfy({ $0.count == 1 << bits }) else {
            throw EntropyCodingError("entropy model for \(bits) bits does not have the tables its layout needs")
        }
    }

    static func tableCount(layout: Layout, codeChannels: Int, contextBuckets: Int) -> Int {
        layout == .pooled ? codeChannels
            : side * side * codeChannels * contextsPerSymbol(layout: layout, contextBuckets: contextBuckets)
    }

    /// Tables per (position, channel).
    static func contextsPerSymbol(layout: Layout, contextBuckets: Int) -> Int {
        switch layout {
        case .pooled, .perPosition: return 1
        case .perPositionAndNeighbour: return contextBuckets + 1
        case .perPositionAndTwoNeighbours: return (contextBuckets + 1) * (contextBuckets + 1)
        }
    }

    /// Symbols per tile.
    public var symbolsPerTile: Int { Self.side * Self.side * codeChannels }

    /// The table for symbol `i` of a tile whose earlier symbols are `symbols[0..<i]`.
    @inline(__always)
    public func tableIndex(_ i: Int, symbols: UnsafePointer<UInt16>) -> Int {
        let ch = i % codeChannels, position = i / codeChannels
        switch layout {
        case .pooled:
            return ch
        case .perPosition:
            return i
        case .perPositionAndNeighbour:
            let y = position / Self.side, x = position % Self.side
            let context: Int
            if x > 0 && y > 0 {
                let mean = (Int(symbols[i - codeChannels]) + Int(symbols[i - Self.side * codeChannels]) + 1) / 2
                context = 1 + (mean * contextBuckets) >> bits
            } else if x > 0 {
                context = 1 + (Int(symbols[i - codeChannels]) * contextBuckets) >> bits
            } else if y > 0 {
                context = 1 + (Int(symbols[i - Self.side * codeChannels]) * contextBuckets) >> bits
            } else {
                context = 0
            }
            return i * (contextBuckets + 1) + context
        case .perPositionAndTwoNeighbours:
            let y = position / Self.side, x = position % Self.side
            let left = x > 0 ? 1 + (Int(symbols[i - codeChannels]) * contextBuckets) >> bits : 0
            let up = y > 0 ? 1 + (Int(symbols[i - Self.side * codeChannels]) * contextBuckets) >> bits : 0
            return (i * (contextBuckets + 1) + left) * (contextBuckets + 1) + up
        }
    }

    // MARK: Fitting

    /// Counts the symbols of `tiles` tiles (`symbols`: tiles × symbolsPerTile) into tables of the given
    /// layout. Sparse contexts are smoothed toward their position's overall distribution.
    public static func fit(symbols: [UInt16], bits: Int, codeChannels: Int, layout: Layout,
                           contextBuckets: Int = 1) throws -> EntropyModel {
        let perTile = side * side * codeChannels, alphabet = 1 << bits
        let buckets = layout.usesNeighbours ? contextBuckets : 1
        let contexts = contextsPerSymbol(layout: layout, contextBuckets: buckets)
        let count = tableCount(layout: layout, codeChannels: codeChannels, contextBuckets: buckets)
        let shell = try EntropyModel(bits: bits, codeChannels: codeChannels, layout: layout, contextBuckets: buckets,
                                     tables: [FrequencyTable](repeating: FrequencyTable(counts: [Int](repeating: 1, count: alphabet)), count: count))
        var counts = [Double](repeating: 0, count: count * alphabet)
        var positionCounts = [Double](repeating: 0, count: perTile * alphabet)
        symbols.withUnsafeBufferPointer { s in
            for t in 0..<(symbols.count / perTile) {
                let tile = s.baseAddress! + t * perTile
                for i in 0..<perTile {
                    counts[shell.tableIndex(i, symbols: tile) * alphabet + Int(tile[i])] += 1
                    positionCounts[i * alphabet + Int(tile[i])] += 1
                }
            }
        }
        var tables: [FrequencyTable] = []
        for table in 0..<count {
            var c = Array(counts[(table * alphabet)..<((table + 1) * alphabet)])
            if layout.usesNeighbours {
                // Add a prior worth `strength` observations shaped like the position's distribution.
                let i = table / contexts
                let marginal = positionCounts[(i * alphabet)..<((i + 1) * alphabet)]
                let total = marginal.reduce(0, +), strength = Double(alphabet)
                if total > 0 { for s in 0..<alphabet { c[s] += strength * marginal[marginal.startIndex + s] / total } }
            }
            // FrequencyTable takes integers: scale so that fractional prior counts survive rounding.
            tables.append(FrequencyTable(counts: c.map { Int(($0 * 16).rounded()) }))
        }
        return try EntropyModel(bits: bits, codeChannels: codeChannels, layout: layout, contextBuckets: buckets, tables: tables)
    }

    /// The ideal code length in bits of `tiles` tiles of symbols (what a perfect coder would spend).
    public func idealBits(symbols: [UInt16]) -> Double {
        let perTile = symbolsPerTile
        var total = 0.0
        symbols.withUnsafeBufferPointer { s in
            for t in 0..<(symbols.count / perTile) {
                let tile = s.baseAddress! + t * perTile
                for i in 0..<perTile { total += tables[tableIndex(i, symbols: tile)].cost(of: Int(tile[i])) }
            }
        }
        return total
    }

    // MARK: Serialization

    /// bits (u8), layout (u8), context buckets (u8), code channels (u8), table count (u32 LE), then the tables.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = [UInt8(bits), layout.rawValue, UInt8(contextBuckets), UInt8(codeChannels)]
        out.appendLE(UInt32(tables.count))
        for t in tables { out += t.serialized() }
        return out
    }

    public static func parse(_ bytes: ArraySlice<UInt8>) throws -> (model: EntropyModel, byteCount: Int) {
        var r = ByteReader(bytes)
        guard let bits = r.u8(), let layoutByte = r.u8(), let buckets = r.u8(), let channels = r.u8(),
              let count = r.u32(), let layout = Layout(rawValue: layoutByte), (1...16).contains(bits),
              count <= 1 << 20 else {
            throw EntropyCodingError("bad entropy model header")
        }
        var tables: [FrequencyTable] = []
        for _ in 0..<count {
            let (table, used) = try FrequencyTable.parse(bytes[r.offset...])
            _ = r.bytes(used)
            tables.append(table)
        }
        let model = try EntropyModel(bits: Int(bits), codeChannels: Int(channels), layout: layout,
                                     contextBuckets: Int(buckets), tables: tables)
        return (model, r.offset - bytes.startIndex)
    }
}

extension EntropyModel {
    /// What a serialized entropy model's header says, and how many bytes the whole model takes — found by
    /// walking the tables' lengths without building them (`CodecModel` parses a bit depth's tables only
    /// when it is used). The tables themselves are checked by `parse`.
    public static func extent(of bytes: ArraySlice<UInt8>) throws -> (bits: Int, codeChannels: Int, byteCount: Int) {
        var r = ByteReader(bytes)
        guard let bits = r.u8(), let layoutByte = r.u8(), let buckets = r.u8(), let channels = r.u8(),
              let count = r.u32(), let layout = Layout(rawValue: layoutByte), (1...16).contains(bits),
              channels >= 1, count <= 1 << 20, buckets >= 1 || !layout.usesNeighbours,
              Int(count) == tableCount(layout: layout, codeChannels: Int(channels),
                                       contextBuckets: layout.usesNeighbours ? Int(buckets) : 1) else {
            throw EntropyCodingError("bad entropy model header")
        }
        for _ in 0..<count {
            guard let low = r.u8(), let high = r.u8(), r.bytes(2 * (Int(low) | Int(high) << 8)) != nil else {
                throw EntropyCodingError("entropy model truncated")
            }
        }
        return (Int(bits), Int(channels), r.offset - bytes.startIndex)
    }
}

extension EntropyModel.Layout {
    /// Whether the table depends on already-coded neighbours (and `contextBuckets` means something).
    public var usesNeighbours: Bool { self == .perPositionAndNeighbour || self == .perPositionAndTwoNeighbours }
}
