import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A set of equally sized grayscale images from an IDX3 file (the MNIST / Fashion-MNIST format).
///
/// The file is a big-endian header — magic 0x00000803 (unsigned bytes, 3 dimensions), count, rows, cols — then
/// `count * rows * cols` pixel bytes, image after image, each row-major. It may be gzip-compressed.
public struct IDXImages: Sendable, Equatable {
    /// The magic number of an IDX file of unsigned-byte data with 3 dimensions.
    public static let magic: UInt32 = 0x0000_0803

    public let count: Int
    public let rows: Int
    public let cols: Int
    /// `count * rows * cols` pixels, image after image, each row-major.
    public let pixels: [UInt8]

    /// Creates an image set from its pixels.
    /// - Precondition: `pixels.count == count * rows * cols`.
    public init(count: Int, rows: Int, cols: Int, pixels: [UInt8]) {
        precondition(count >= 0 && rows >= 1 && cols >= 1 && pixels.count == count * rows * cols,
                     "\(count) images of \(rows)x\(cols) need \(count * rows * cols) pixels, got \(pixels.count)")
        self.count = count
        self.rows = rows
        self.cols = cols
        self.pixels = pixels
    }

    /// Loads an IDX3 image file, gzip-compressed or plain (zlib's gzread reads both).
    ///
    /// The file must hold exactly the bytes that its header describes.
    /// - Throws: `DatasetError` — `.notFound`, `.unreadable`, `.notIDXImages` (wrong magic), `.badHeader`,
    ///   `.truncated`, `.trailingData`, `.corruptGzip`.
    public static func load(path: String) throws -> IDXImages {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT { throw DatasetError.notFound(path: path, hint: nil) }
            throw DatasetError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw DatasetError.unreadable(path: path, reason: "Is a directory") }
        guard let file = gzopen(path, "rb") else {
            throw DatasetError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { gzclose(file) }
        let reader = GzipReader(file: file, path: path)

        let header = try reader.read(upTo: 16)
        guard header.count == 16 else { throw DatasetError.truncated(path: path, expectedBytes: 16, actualBytes: header.count) }
        func field(_ i: Int) -> UInt32 {
            header[4 * i..<4 * i + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        guard field(0) == magic else { throw DatasetError.notIDXImages(path: path, magic: field(0)) }
        let count = Int(field(1)), rows = Int(field(2)), cols = Int(field(3))
        guard count >= 1, rows >= 1, cols >= 1 else {
            throw DatasetError.badHeader(path: path, reason: "\(count) images of \(rows)x\(cols) pixels")
        }
        let (pixelsPerImage, overflow1) = rows.multipliedReportingOverflow(by: cols)
        let (total, overflow2) = count.multipliedReportingOverflow(by: pixelsPerImage)
        guard !overflow1, !overflow2 else {
            throw DatasetError.badHeader(path: path, reason: "\(count) images of \(rows)x\(cols) pixels is too large")
        }

        let pixels = try reader.read(upTo: total)  // grows as data arrives, so a lying header allocates little
        guard pixels.count == total else {
            throw DatasetError.truncated(path: path, expectedBytes: 16 + total, actualBytes: 16 + pixels.count)
        }
        // Reading past the end also makes zlib check the gzip trailer (CRC-32 and length).
        guard try reader.read(upTo: 1).isEmpty else {
            throw DatasetError.trailingData(path: path, expectedBytes: 16 + total)
        }
        return IDXImages(count: count, rows: rows, cols: cols, pixels: pixels)
    }
}

/// Reads a gzip (or plain) file through zlib, turning zlib's error state into `DatasetError`.
private struct GzipReader {
    let file: gzFile
    let path: String

    /// Up to `count` bytes; fewer only at the end of the data.
    func read(upTo count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(count, 1 << 26))
        var chunk = [UInt8](repeating: 0, count: min(count, 1 << 20))
        while bytes.count < count {
            let wanted = UInt32(min(chunk.count, count - bytes.count))
            let got = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, wanted) }
            try checkError()
            if got <= 0 { break }
            bytes.append(contentsOf: chunk[0..<Int(got)])
        }
        return bytes
    }

    private func checkError() throws {
        var code: Int32 = Z_OK
        let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
        switch code {
        case Z_OK, Z_STREAM_END:
            return
        case Z_BUF_ERROR:
            throw DatasetError.corruptGzip(path: path, reason: "unexpected end of file; it is truncated")
        case Z_ERRNO:
            throw DatasetError.unreadable(path: path, reason: String(cString: strerror(errno)))
        default:
            // zlib prefixes the message with the path; keep only the cause.
            let prefix = path + ": "
            let reason = message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
            throw DatasetError.corruptGzip(path: path, reason: reason.isEmpty ? "zlib error \(code)" : reason)
        }
    }
}
