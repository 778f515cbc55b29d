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
        try CBridge.decode(bytes, maxPixels: maxPixels, aec_png_decode)
    }

    /// Reads and decodes the PNG file at `path` (see `decode(_:maxPixels:)`).
    /// - Throws: `ImageIOError` — `.fileSystem` when the file cannot be read, else as `decode`.
    public static func read(contentsOf path: String, maxPixels: Int = Image.defaultMaxPixels) throws -> Image {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch let error as FileSystemError {
            throw ImageIOError(.fileSystem, "cannot read '\(path)': \(error.reason)")
        }
        return try decode(bytes, maxPixels: maxPixels)
    }

    /// Encodes `image` as an 8-bit PNG (gray, gray + alpha, RGB or RGBA by its channel count) with default
    /// compression.
    public static func encode(_ image: Image) throws -> [UInt8] {
        try CBridge.encode(image, aec_png_encode)
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
