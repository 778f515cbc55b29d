import AECImage
import AECNet

/// The codec's limits in one place: the libraries check them, the tools read them for their help and
/// their errors.
public enum Limits {
    /// Bits per code value. The `.aec` header keeps `bits − 1` in three bits, so 8 is the most a file can
    /// say; 1-bit codes are not defined (two levels of a sigmoid code make no useful image).
    public static let bits: ClosedRange<Int> = 2...8

    /// The side of a tile in pixels (the network's input): 28.
    public static var tileSide: Int { Architecture.tileSide }

    /// The largest image a version-5 file (whole-image coding) may hold: 2^24 pixels (16.8 megapixels, 4096²).
    /// Whole-image coding holds each plane in floats and runs the network on bands as wide as the image
    /// with 5-code-row halos, ~50 bytes per pixel at the peak (806 MB for 4000×4000 RGB); larger images are
    /// coded in tiles, whose memory is a band of tile rows.
    public static let wholeImageMaxPixels = 1 << 24

    /// The largest image, in pixels, encoded or decoded unless the caller says otherwise (100 megapixels).
    public static var defaultMaxPixels: Int { Image.defaultMaxPixels }

    /// The pixels the codec works on for a w×h image: each plane padded to whole 28×28 tiles. A 1-pixel-wide
    /// image costs 28 times its pixel count, so limits count these, not w·h.
    public static func codedPixels(width: Int, height: Int) -> Int {
        let (columns, rows) = Tiling.grid(width: width, height: height)
        let (area, overflow) = (columns * tileSide).multipliedReportingOverflow(by: rows * tileSide)
        return overflow ? Int.max : area
    }

    /// Refuses an image larger than `maxPixels`, counting both its pixels and its coded pixels (padding
    /// included), before anything of its size is allocated.
    /// - Throws: `CodecError.tooLarge`.
    public static func checkSize(width: Int, height: Int, maxPixels: Int) throws {
        guard width <= maxPixels / height, codedPixels(width: width, height: height) <= maxPixels else {
            throw CodecError.tooLarge(width: width, height: height, limit: maxPixels)
        }
    }
}
