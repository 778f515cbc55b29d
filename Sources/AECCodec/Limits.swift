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

    /// The largest image, in pixels, encoded or decoded unless the caller says otherwise (100 megapixels).
    public static var defaultMaxPixels: Int { Image.defaultMaxPixels }
}
