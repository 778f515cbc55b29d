/// Reads little-endian integers from a byte slice; every read returns nil past the end.
public struct ByteReader {
    public let bytes: ArraySlice<UInt8>
    public var offset: Int

    public init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes; offset = bytes.startIndex }

    public var atEnd: Bool { offset >= bytes.endIndex }
    public var remaining: Int { bytes.endIndex - offset }

    public mutating func bytes(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, n <= remaining else { return nil }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    public mutating func u8() -> UInt8? { bytes(1)?.first }
    public mutating func u16() -> UInt16? { integer() }
    public mutating func u32() -> UInt32? { integer() }
    public mutating func u64() -> UInt64? { integer() }

    private mutating func integer<T: FixedWidthInteger>() -> T? {
        guard let b = bytes(MemoryLayout<T>.size) else { return nil }
        var v: T = 0
        for (i, byte) in b.enumerated() { v |= T(byte) << (8 * i) }
        return v
    }
}
