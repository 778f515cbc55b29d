import AECBase
import CImageIO

/// PNG decoding and encoding through libpng.
public enum PNG {
    /// Decodes a PNG of any type into an 8-bit image.
    ///
    /// Palette images become RGB (RGBA with a tRNS chunk); 1/2/4-bit gray is scaled exactly to 8 bits;
    /// 16-bit samples become `round(v * 255 / 65535)`; tRNS on gray or RGB adds an alpha channel; no gamma
    /// or colour-space transform is applied. Interlaced images are supported.
    /// - Throws: `ImageIOError` — `.notThisFormat` (wrong signature, empty), `.corrupt` (bad CRC, bad zlib
    ///   data, truncation, zero width or height), `.tooLarge` (more than `maxPixels` pixels; checked before
    ///   any pixel memory is allocated).
    public static func decode(_ bytes: [UInt8], maxPixels: Int = Image.defaultMaxPixels) throws -> Image {
        try checkSignature(Array(bytes.prefix(sniffLength)))
        // The header first, then the pixels straight into the image's array: a large image is not held
        // twice (C buffer and Swift copy).
        var header = aec_image()
        try bytes.withUnsafeBufferPointer { data in
            try CBridge.call { err, errlen in aec_png_read_header(data.baseAddress, data.count, max(0, maxPixels), &header, err, errlen) }
        }
        let width = Int(header.width), height = Int(header.height), channels = Int(header.channels)
        guard width >= 1, height >= 1, (1...4).contains(channels) else { throw ImageIOError(.corrupt, "corrupt PNG: empty image") }
        let count = width * height * channels
        let samples = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var decoded = aec_image()
            try bytes.withUnsafeBufferPointer { data in
                try CBridge.call { err, errlen in
                    aec_png_decode_into(data.baseAddress, data.count, max(0, maxPixels), buffer.baseAddress, count, &decoded, err, errlen)
                }
            }
            initialized = count
        }
        return Image(width: width, height: height, channels: channels, samples: samples)
    }

    /// Reads and decodes the PNG file at `path` (see `readBytes` and `decode(_:maxPixels:)`).
    /// - Throws: `ImageIOError` — `.fileSystem` when the file cannot be read or is too long, else as `decode`.
    public static func read(contentsOf path: String, maxPixels: Int = Image.defaultMaxPixels) throws -> Image {
        let bytes: [UInt8]
        do {
            bytes = try readBytes(path, maxPixels: maxPixels)
        } catch let error as FileSystemError {
            throw ImageIOError(.fileSystem, "cannot read '\(path)': \(error.reason)")
        } catch let error as InputTooLargeError {
            throw ImageIOError(.tooLarge, "'\(path)' is \(error)")
        }
        return try decode(bytes, maxPixels: maxPixels)
    }

    /// The bytes of the PNG file at `path` (stdin when nil): its signature is checked from the first
    /// 16 bytes before the rest is read, and a file longer than `Image.inputByteLimit(maxPixels:)` is
    /// refused without being read whole.
    /// - Throws: `ImageIOError` (`.notThisFormat`, or `.corrupt` for a damaged signature),
    ///   `FileSystemError`, `InputTooLargeError`.
    public static func readBytes(_ path: String?, maxPixels: Int = Image.defaultMaxPixels) throws -> [UInt8] {
        try FileSystem.read(path, maxBytes: Image.inputByteLimit(maxPixels: maxPixels),
                            signatureLength: sniffLength, checkSignature: checkSignature)
    }

    /// The 8 bytes every PNG file starts with: 0x89 "PNG" CR LF 0x1A LF.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Bytes read before the signature is judged: enough to see a signature lengthened by CR/LF conversion.
    public static let sniffLength = 16

    /// Checks the first bytes of a would-be PNG file (the whole file, or at least its first 16 bytes).
    /// A file that starts with 0x89 "PNG" but not the rest is a damaged PNG, not "not a PNG file"; when the
    /// difference is in its CR/LF bytes, a text-mode transfer (CR/LF translation) did it, and it says so.
    /// - Throws: `ImageIOError` — `.notThisFormat` or `.corrupt`.
    public static func checkSignature(_ start: [UInt8]) throws {
        if start.isEmpty { throw ImageIOError(.notThisFormat, "not a PNG file (empty)") }
        if start.starts(with: signature) { return }
        if start.count >= 4 && start.starts(with: signature.prefix(4)) {
            if start.count < 8 {
                throw ImageIOError(.corrupt, "corrupt PNG: file is truncated inside its signature (\(start.count) bytes)")
            }
            let shown = start.prefix(8).map { String(format: "0x%02X", $0) }.joined(separator: " ")
            // Where CR LF ^Z LF belongs, a run of CRs and LFs around the ^Z (one byte shorter or longer): a
            // text-mode transfer added or removed line endings.
            let run = start[4...].prefix { [0x0D, 0x0A, 0x1A].contains($0) }
            let lineEndings = run.contains(0x1A) && run.count != 4
            throw ImageIOError(.corrupt, "corrupt PNG: damaged PNG signature (\(shown))"
                + (lineEndings ? ": line endings were converted, as by a text-mode transfer" : ""))
        }
        let shown = start.prefix(4).map { String(format: "0x%02X", $0) }.joined(separator: " ")
        throw ImageIOError(.notThisFormat, "not a PNG file (starts with \(shown))")
    }

    /// Encodes `image` as an 8-bit PNG (gray, gray + alpha, RGB or RGBA by its channel count) with default
    /// compression.
    public static func encode(_ image: Image) throws -> [UInt8] {
        try CBridge.encode(image, aec_png_encode)
    }

    /// Encodes `image` as `encode(_:)` does, with chunks for `metadata` (`PNGMetadata.insert`).
    public static func encode(_ image: Image, metadata: ImageMetadata) throws -> [UInt8] {
        PNGMetadata.insert(metadata, into: try encode(image))
    }

    /// Encodes `image` and writes it to `path` atomically (a temporary file renamed over `path`).
    public static func write(_ image: Image, to path: String) throws {
        let bytes = try encode(image)
        do {
            try AtomicFile.write(bytes, to: path)
        } catch let error as FileSystemError {
            throw ImageIOError(.fileSystem, "cannot write '\(path)': \(error.reason)")
        }
    }
}
