import CZlib

/// zlib streams (RFC 1950) in memory: the alpha plane of `.aec` files, and the compressed metadata chunks
/// of PNG files.
public enum Zlib {
    /// `bytes` as a zlib stream at compression level 9.
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = compress2(&out, &size, bytes, uLong(bytes.count), 9)
        // compress2 fails only without memory or with a buffer smaller than compressBound.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        return Array(out[0..<Int(size)])
    }

    /// The bytes of a zlib stream that inflates to at most `limit` bytes; nil when the stream is damaged,
    /// truncated, followed by other bytes, or would inflate past `limit` (a few bytes of deflate data can
    /// claim gigabytes: the limit is what a reader is willing to hold).
    public static func inflate(_ stream: [UInt8], limit: Int) -> [UInt8]? {
        var z = z_stream()
        guard inflateInit_(&z, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&z) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        return stream.withUnsafeBufferPointer { input -> [UInt8]? in
            z.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            z.avail_in = uInt(input.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { buffer -> Int32 in
                    z.next_out = buffer.baseAddress
                    z.avail_out = uInt(buffer.count)
                    return CZlib.inflate(&z, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(z.avail_out)
                guard out.count + produced <= limit else { return nil }
                out += chunk[0..<produced]
                switch status {
                case Z_STREAM_END: return z.avail_in == 0 ? out : nil
                case Z_OK: if produced == 0 && z.avail_in == 0 { return nil }  // truncated
                default: return nil
                }
            }
        }
    }
}
