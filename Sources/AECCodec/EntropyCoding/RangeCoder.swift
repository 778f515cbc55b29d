// A multi-symbol range coder (arithmetic coding on bytes) over `FrequencyTable`s, integer-only so that every
// platform decodes the same symbols from the same bytes.
//
// The coded message is a number x in [0, 1), written as base-256 digits (the output bytes); the decoder reads
// past the end of the bytes as zeros. Coding a symbol narrows an interval [L, L + R) that must contain x:
// with r = floor(R / 2^16), symbol s takes [L + r·cum[s], L + r·cum[s + 1]), the last symbol also takes the
// leftover R - r·total, so the whole interval is used. Both sides keep the interval scaled by 2^(8·(k + 4))
// after k bytes have been shifted out, so that R stays in [2^24, 2^32) between symbols
// ("normalization": while R < 2^24, shift one more byte out). Then r ≥ 2^8 and every symbol's sub-interval
// is non-empty; rounding r down costs at most 2^-8 of R, under 0.006 bits per symbol.
//
// The format is fixed by these rules and `FrequencyTable`'s integers; the golden test pins it.

/// Encodes symbols into the shortest byte string the rules above allow.
///
/// State: the bytes already final (`bytes`), then `cache` and `pendingFFs` bytes 0xFF that a carry may still
/// change, then the 32 bits of `low`. Adding to `low` can overflow into bit 32 (a carry): it belongs to the
/// cache byte, and turns the pending 0xFF bytes into 0x00 (LZMA's scheme). The true interval stays inside
/// [0, 1), so a carry never runs past the first byte and `low + range < 2^33` at all times.
public struct RangeEncoder {
    private var low: UInt64 = 0
    private var range: UInt32 = .max
    private var cache: UInt8 = 0
    private var hasCache = false
    private var pendingFFs = 0
    private var bytes: [UInt8] = []

    public init() {}

    /// Narrows the interval to `symbol`'s share of `table`.
    /// - Precondition: `symbol` is in `0..<table.count`.
    public mutating func encode(_ symbol: Int, with table: FrequencyTable) {
        precondition(symbol >= 0 && symbol < table.count, "symbol \(symbol) outside the table's alphabet")
        let r = range >> UInt32(FrequencyTable.precisionBits)
        let start = r * table.cumulative[symbol]
        low += UInt64(start)
        range = symbol == table.count - 1 ? range - start : r * table.frequencies[symbol]
        while range < 1 << 24 {
            range <<= 8
            shiftLow()
        }
    }

    /// Moves the top byte of `low` out: into `cache` (or the run of 0xFF bytes, which a carry could still
    /// change), writing out the previous cache and run first, with the carry added, once they are final.
    private mutating func shiftLow() {
        if low < 0xFF00_0000 || low >= 1 << 32 {
            let carry = UInt8(truncatingIfNeeded: low >> 32)
            assert(hasCache || carry == 0, "a carry past the first byte: the interval left [0, 1)")
            if hasCache { bytes.append(cache &+ carry) }
            for _ in 0..<pendingFFs { bytes.append(0xFF &+ carry) }
            pendingFFs = 0
            cache = UInt8(truncatingIfNeeded: low >> 24)
            hasCache = true
        } else {
            pendingFFs += 1  // 0xFF with no carry yet: wait and see whether one comes
        }
        low = (low << 8) & 0xFFFF_FFFF
    }

    /// Ends the stream with as few bytes as possible and returns it; the encoder starts afresh afterwards.
    ///
    /// The decoder decodes correctly any x in the final interval [low, low + range), read with zeros after
    /// the end. The shortest such x: for j = 0, 1, ..., 4 more bytes, the smallest multiple of 256^(4 - j)
    /// that is ≥ low; the first that is below low + range wins (j = 4 always does: x = low). Since
    /// range < 2^32 the interval holds at most one multiple of 256^4, so no shorter x exists. That x is
    /// flushed whole (with its carry), then up to 4 trailing zero bytes are dropped: the decoder reads zeros
    /// there anyway. This costs less than one byte over the information content, plus the rounding of r.
    ///
    /// The decoder reads 4 + (bytes shifted out) bytes; at most 4 are dropped, so a correct stream never has
    /// `RangeDecoder.bytesPastEnd` above 4. (Dropping more zeros would rarely save a byte and lose that bound.)
    public mutating func finish() -> [UInt8] {
        for j in 0...4 {
            let unit: UInt64 = 1 << (8 * (4 - j))
            let x = (low + unit - 1) & ~(unit - 1)
            if x - low < UInt64(range) {
                low = x
                break
            }
        }
        for _ in 0..<5 { shiftLow() }
        var dropped = 0
        while dropped < RangeDecoder.maxBytesPastEnd, bytes.last == 0 {
            bytes.removeLast()
            dropped += 1
        }
        defer { self = RangeEncoder() }
        return bytes
    }
}

/// Decodes what `RangeEncoder` wrote, given the same tables in the same order.
///
/// State: `code = x - low` at the current scale, where x is the stream read so far, so `code < range` for a
/// valid stream. On corrupt bytes `code` may exceed `range`; the arithmetic is arranged so that this only
/// yields wrong symbols: the value looked up is clamped to `total - 1`, `r · cum[s] ≤ code` by the choice
/// of s, shifts drop high bits, `range` stays ≥ 2^8 before normalization, so no step traps or loops.
public struct RangeDecoder {
    /// The most zero bytes a correct stream makes the decoder read past its end (see `RangeEncoder.finish`).
    public static let maxBytesPastEnd = 4

    private let bytes: ArraySlice<UInt8>
    private var position: Int
    private var code: UInt32 = 0
    private var range: UInt32 = .max

    /// How many bytes past the end of the input the decoder has read (as zeros). A correct stream needs at
    /// most `maxBytesPastEnd`; more means the stream was truncated (or is not a stream for these tables).
    /// On any input the decoder reads at most 4 bytes, then 2 per symbol (a symbol narrows `range` to at
    /// least r ≥ 2^8, and two shifts bring it back above 2^24).
    public private(set) var bytesPastEnd = 0

    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
        for _ in 0..<4 { code = code << 8 | UInt32(nextByte()) }
    }

    /// Decodes one symbol of `table`'s alphabet. Any input bytes give some symbol: never a trap.
    public mutating func decode(with table: FrequencyTable) -> Int {
        let r = range >> UInt32(FrequencyTable.precisionBits)
        let value = min(code / r, FrequencyTable.total - 1)  // above total - 1: the last symbol's leftover
        let symbol = table.symbol(containing: value)
        let start = r * table.cumulative[symbol]
        code -= start
        range = symbol == table.count - 1 ? range - start : r * table.frequencies[symbol]
        while range < 1 << 24 {
            range <<= 8
            code = code << 8 | UInt32(nextByte())
        }
        return symbol
    }

    private mutating func nextByte() -> UInt8 {
        guard position < bytes.endIndex else {
            bytesPastEnd += 1
            return 0
        }
        defer { position += 1 }
        return bytes[position]
    }
}
