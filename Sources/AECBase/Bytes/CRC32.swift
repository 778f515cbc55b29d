/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of zlib, PNG and our files.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC of `bytes`, continuing from `crc` (the CRC of what came before; 0 to start).
    public static func checksum<C: Collection>(_ bytes: C, continuing crc: UInt32 = 0) -> UInt32 where C.Element == UInt8 {
        // Arrays and slices: the loop over a plain buffer (the generic one is ~10× slower on a model file).
        if let c = bytes.withContiguousStorageIfAvailable({ checksum(buffer: $0, continuing: crc) }) { return c }
        var c = ~crc
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }

    private static func checksum(buffer: UnsafeBufferPointer<UInt8>, continuing crc: UInt32) -> UInt32 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            for b in buffer { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }
}
