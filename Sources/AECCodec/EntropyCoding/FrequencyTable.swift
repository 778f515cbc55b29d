import Foundation

/// Static probabilities of the symbols `0..<count` as integer frequencies that sum to `FrequencyTable.total`.
///
/// Symbol `s` owns the sub-interval `cumulative[s] ..< cumulative[s + 1]` of `0 ..< total`, so its probability
/// is `frequencies[s] / total`. Every frequency is at least 1, so every symbol can be coded. The tables are
/// pure integers: encoder and decoder agree bit for bit on every platform, whatever produced the table.
///
/// Stored form (`serialized()`): the count as u16 LE, then each frequency minus 1 as u16 LE. A frequency is
/// at most `total - (count - 1)` (the other symbols hold at least 1 each), so frequency - 1 ≤ 65535 fits.
public struct FrequencyTable: Equatable, Sendable {
    public static let precisionBits = 16
    public static var total: UInt32 { 1 << precisionBits }
    /// The largest alphabet a table may have.
    public static let maxCount = 4096

    /// Every entry ≥ 1; the sum is `total`.
    public let frequencies: [UInt32]
    /// `count + 1` entries: `cumulative[0] = 0`, `cumulative[s + 1] = cumulative[s] + frequencies[s]`,
    /// the last is `total`.
    public let cumulative: [UInt32]
    /// `bucketStart[k]` is the symbol whose interval holds the value `k << bucketShift` (k in 0..<256), and
    /// `bucketStart[256] = count - 1`; the symbol holding a value `v` therefore lies between
    /// `bucketStart[v >> bucketShift]` and `bucketStart[(v >> bucketShift) + 1]`. 514 bytes per table.
    private let bucketStart: [UInt16]
    private static let bucketShift = UInt32(precisionBits - 8)

    public var count: Int { frequencies.count }

    /// Validates and adopts stored frequencies.
    /// - Throws: `EntropyCodingError` if the alphabet is empty or larger than 4096, a frequency is 0,
    ///   or the frequencies do not sum to `total`.
    public init(frequencies: [UInt32]) throws {
        guard !frequencies.isEmpty, frequencies.count <= Self.maxCount else {
            throw EntropyCodingError("frequency table has \(frequencies.count) symbols, expected 1...\(Self.maxCount)")
        }
        if let s = frequencies.firstIndex(of: 0) {
            throw EntropyCodingError("frequency table: symbol \(s) has frequency 0")
        }
        let sum = frequencies.reduce(UInt64(0)) { $0 + UInt64($1) }  // < 4096 · 2^32: no overflow
        guard sum == UInt64(Self.total) else {
            throw EntropyCodingError("frequency table: frequencies sum to \(sum), expected \(Self.total)")
        }
        var cumulative: [UInt32] = [0]
        cumulative.reserveCapacity(frequencies.count + 1)
        for f in frequencies { cumulative.append(cumulative[cumulative.count - 1] + f) }
        self.init(checked: frequencies, cumulative: cumulative)
    }

    /// Adopts frequencies already known to be valid (each ≥ 1, sum `total`, 1...4096 of them).
    init(checked frequencies: [UInt32], cumulative: [UInt32]) {
        self.frequencies = frequencies
        self.cumulative = cumulative
        self.bucketStart = Self.makeBuckets(cumulative)
    }

    /// Ideal code length of `symbol` in bits: log2(total / frequency).
    public func cost(of symbol: Int) -> Double {
        Double(Self.precisionBits) - log2(Double(frequencies[symbol]))
    }

    /// The fewest bits any symbol can take from the range coder with this table. A symbol s narrows the
    /// range to r·f[s] (r = range >> 16), except the last symbol, which keeps the rounding remainder too:
    /// less than r·256, since range ≥ 2^24. So a symbol costs at least log2(total / f[s]), the last one
    /// log2(total / (f[last] + 256)), and never less than 0.
    public var leastCost: Double {
        let widest = max(frequencies.dropLast().max() ?? 0, frequencies[frequencies.count - 1] + 256)
        return max(0, Double(Self.precisionBits) - log2(Double(widest)))
    }

    /// The symbol `s` with `cumulative[s] ≤ value < cumulative[s + 1]`; `value` must be below `total`.
    /// A bucket index narrows the search to a few symbols, then a binary search finishes it.
    @inline(__always)
    public func symbol(containing value: UInt32) -> Int {
        precondition(value < Self.total, "value out of range")
        let k = Int(value >> Self.bucketShift)
        var lo = Int(bucketStart[k]), hi = Int(bucketStart[k + 1])  // answer in lo...hi
        while lo < hi {
            let mid = (lo + hi + 1) >> 1
            if cumulative[mid] <= value { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    private static func makeBuckets(_ cumulative: [UInt32]) -> [UInt16] {
        var buckets = [UInt16](repeating: 0, count: 257)
        var s = 0
        for k in 0..<256 {
            let v = UInt32(k) << bucketShift
            while cumulative[s + 1] <= v { s += 1 }
            buckets[k] = UInt16(s)
        }
        buckets[256] = UInt16(cumulative.count - 2)
        return buckets
    }

    // MARK: - Serialization

    /// The count as u16 LE, then each frequency minus 1 as u16 LE: `2 + 2 * count` bytes.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2 + 2 * count)
        func u16(_ v: UInt32) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8)) }
        u16(UInt32(count))
        for f in frequencies { u16(f - 1) }
        return out
    }

    /// Reads a table written by `serialized()` from the front of `bytes`.
    /// - Returns: the table and the number of bytes it took.
    /// - Throws: `EntropyCodingError` on truncation or an invalid table.
    public static func parse(_ bytes: ArraySlice<UInt8>) throws -> (table: FrequencyTable, byteCount: Int) {
        let start = bytes.startIndex
        func u16(at i: Int) -> UInt32 { UInt32(bytes[start + i]) | UInt32(bytes[start + i + 1]) << 8 }
        guard bytes.count >= 2 else {
            throw EntropyCodingError("frequency table truncated: \(bytes.count) bytes, need at least 2")
        }
        let count = Int(u16(at: 0))
        guard (1...maxCount).contains(count) else {
            throw EntropyCodingError("frequency table has \(count) symbols, expected 1...\(maxCount)")
        }
        let byteCount = 2 + 2 * count
        guard bytes.count >= byteCount else {
            throw EntropyCodingError("frequency table truncated: \(bytes.count) bytes, need \(byteCount)")
        }
        let frequencies = bytes.withUnsafeBufferPointer { b -> [UInt32] in
            (0..<count).map { s -> UInt32 in
                let low = UInt32(b[2 + 2 * s]), high = UInt32(b[3 + 2 * s])
                return (low | high << 8) + 1
            }
        }
        return (try FrequencyTable(frequencies: frequencies), byteCount)
    }
}
