import CImageIO

/// Baseline JPEG through libjpeg, in memory; used to compare the codec with JPEG.
public enum JPEG {
    /// Encodes a 1-channel image as grayscale JPEG or a 3-channel image as YCbCr 4:2:0 JPEG.
    /// - Parameters:
    ///   - quality: the libjpeg quality factor, 1...100.
    ///   - optimizeHuffman: whether to compute optimal Huffman tables (smaller files, slower encoding).
    /// - Throws: `ImageIOError.Kind.invalidArgument` for images with alpha (drop it first, e.g. `toGray()`) or a
    ///   quality outside 1...100.
    public static func encode(_ image: Image, quality: Int, optimizeHuffman: Bool) throws -> [UInt8] {
        guard image.channels == 1 || image.channels == 3 else {
            throw ImageIOError(.invalidArgument, "cannot write a JPEG with \(image.channels) channels (1 or 3 allowed)")
        }
        guard (1...100).contains(quality) else {
            throw ImageIOError(.invalidArgument, "JPEG quality \(quality) is outside 1...100")
        }
        return try CBridge.encode(image) { pixels, width, height, channels, out, size, err, errlen in
            aec_jpeg_encode(pixels, width, height, channels, Int32(quality), optimizeHuffman ? 1 : 0,
                            out, size, err, errlen)
        }
    }

    /// Decodes a JPEG: a grayscale JPEG gives a 1-channel image, any other a 3-channel RGB image.
    /// Corrupt-data warnings from libjpeg (for example, a truncated file) are errors.
    /// - Throws: `ImageIOError` — `.notThisFormat`, `.corrupt` or `.tooLarge` (more than `maxPixels` pixels).
    public static func decode(_ bytes: [UInt8], maxPixels: Int = Image.defaultMaxPixels) throws -> Image {
        try CBridge.decode(bytes, maxPixels: maxPixels, aec_jpeg_decode)
    }
}
