/// A tiny hand-written PNG writer for tests: it produces PNG types that `PNG.encode` never writes (palette,
/// 1/2/4/16-bit, tRNS, Adam7), with zlib "stored" blocks so that no compressor is needed.
enum PNGBuilder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A complete PNG. `rows` are the packed scanlines without filter bytes (filter 0 is added).
    /// With `interlaced`, the rows are full-image rows of 8-bit samples (`bytesPerPixel` each), cut into
    /// the seven Adam7 passes here.
    static func png(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, rows: [[UInt8]],
                    interlaced: Bool = false, bytesPerPixel: Int = 1,
                    chunksBeforeIDAT: [(String, [UInt8])] = []) -> [UInt8] {
        var ihdr = be32(width) + be32(height)
        ihdr += [bitDepth, colorType, 0, 0, interlaced ? 1 : 0]
        var raw: [UInt8] = []
        if interlaced {
            raw = adam7(rows: rows, width: width, height: height, bytesPerPixel: bytesPerPixel)
        } else {
            for row in rows { raw += [0] + row }
        }
        var file = signature + chunk("IHDR", ihdr)
        for (type, data) in chunksBeforeIDAT { file += chunk(type, data) }
        return file + chunk("IDAT", zlibStored(raw)) + chunk("IEND", [])
    }

    /// Length, type, data, CRC-32 of type + data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return be32(data.count) + typeBytes + data + be32(Int(crc32(typeBytes + data)))
    }

    static func be32(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A zlib stream of uncompressed ("stored") deflate blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let length = min(65535, data.count - start)
            let last: UInt8 = start + length == data.count ? 1 : 0
            out += [last, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[start..<start + length]
            start += length
        } while start < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + be32(Int(b << 16 | a))
    }

    /// The Adam7 passes of full-resolution rows, each pass row with its filter byte.
    private static func adam7(rows: [[UInt8]], width: Int, height: Int, bytesPerPixel: Int) -> [UInt8] {
        let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        var raw: [UInt8] = []
        for (x0, y0, dx, dy) in passes where x0 < width && y0 < height {
            for y in stride(from: y0, to: height, by: dy) {
                raw.append(0)
                for x in stride(from: x0, to: width, by: dx) {
                    raw += rows[y][x * bytesPerPixel..<(x + 1) * bytesPerPixel]
                }
            }
        }
        return raw
    }
}
