import AECBase

/// The images the encoder reads: PNG, or JPEG turned upright by its Exif orientation. The format is told by
/// the first bytes, not the name.
public enum ImageInput {
    public enum Format: Sendable { case png, jpeg }

    /// Bytes read before the format is judged (`PNG.sniffLength`).
    static let sniffLength = PNG.sniffLength

    /// The format the first bytes announce; nil when they are neither PNG nor JPEG.
    public static func format(of start: [UInt8]) -> Format? {
        if start.starts(with: PNG.signature.prefix(4)) { return .png }
        if start.count >= 3 && start[0] == 0xFF && start[1] == 0xD8 && start[2] == 0xFF { return .jpeg }
        return nil
    }

    /// Checks the first bytes: a PNG (`PNG.checkSignature`, which also names a damaged one) or a JPEG.
    /// - Throws: `ImageIOError`.
    public static func checkSignature(_ start: [UInt8]) throws {
        switch format(of: start) {
        case .png: try PNG.checkSignature(start)
        case .jpeg: return
        case nil:
            if start.isEmpty { throw ImageIOError(.notThisFormat, "not a PNG or JPEG file (empty)") }
            let shown = start.prefix(4).map { String(format: "0x%02X", $0) }.joined(separator: " ")
            throw ImageIOError(.notThisFormat, "not a PNG or JPEG file (starts with \(shown))")
        }
    }

    /// The bytes of the image file at `path` (stdin when nil), its signature checked from the first bytes
    /// and its length bounded as `PNG.readBytes` does.
    public static func readBytes(_ path: String?, maxPixels: Int = Image.defaultMaxPixels) throws -> [UInt8] {
        try FileSystem.read(path, maxBytes: Image.inputByteLimit(maxPixels: maxPixels), signatureLength: sniffLength,
                            checkSignature: checkSignature)
    }

    /// Decodes a PNG or a JPEG (upright: its Exif orientation applied).
    /// - Throws: `ImageIOError`.
    public static func decode(_ bytes: [UInt8], maxPixels: Int = Image.defaultMaxPixels) throws -> Image {
        try checkSignature(Array(bytes.prefix(sniffLength)))
        if format(of: bytes) == .jpeg {
            let image = try JPEG.decode(bytes, maxPixels: maxPixels)
            return ExifOrientation.of(jpeg: bytes).map { image.oriented($0) } ?? image
        }
        return try PNG.decode(bytes, maxPixels: maxPixels)
    }

    /// The ICC profile and text notes of a PNG or JPEG (`PNGMetadata`, `JPEGMetadata`); empty for anything else.
    public static func metadata(of bytes: [UInt8]) -> ImageMetadata {
        switch format(of: bytes) {
        case .png: return PNGMetadata.read(from: bytes)
        case .jpeg: return JPEGMetadata.read(from: bytes)
        case nil: return ImageMetadata()
        }
    }
}
