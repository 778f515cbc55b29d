import AECImage

/// RGB ↔ YCbCr with JPEG's full-range coefficients (JFIF / ITU-T T.871), on samples in [0, 255]:
///
///     Y  =       0.299    R + 0.587    G + 0.114    B
///     Cb = 128 − 0.168736 R − 0.331264 G + 0.5      B
///     Cr = 128 + 0.5      R − 0.418688 G − 0.081312 B
///
///     R = Y + 1.402 (Cr − 128)
///     G = Y − 0.344136 (Cb − 128) − 0.714136 (Cr − 128)
///     B = Y + 1.772 (Cb − 128)
public enum ColorTransform {
    /// Y, Cb and Cr (each / 255) of one RGB pixel.
    @inline(__always)
    public static func ycbcr(r: Float, g: Float, b: Float) -> (y: Float, cb: Float, cr: Float) {
        ((0.299 * r + 0.587 * g + 0.114 * b) / 255,
         (128 - 0.168736 * r - 0.331264 * g + 0.5 * b) / 255,
         (128 + 0.5 * r - 0.418688 * g - 0.081312 * b) / 255)
    }

    /// One 8-bit RGB pixel from Y, Cb, Cr (each / 255), rounded and clamped.
    @inline(__always)
    public static func rgb(y: Float, cb: Float, cr: Float) -> (r: UInt8, g: UInt8, b: UInt8) {
        let yy = 255 * y, u = 255 * cb - 128, v = 255 * cr - 128
        return (to8Bit(yy + 1.402 * v), to8Bit(yy - 0.344136 * u - 0.714136 * v), to8Bit(yy + 1.772 * u))
    }

    /// The Y, Cb and Cr planes (values / 255) of an RGB or RGBA image (alpha ignored).
    public static func ycbcrPlanes(of image: Image) -> (y: Plane, cb: Plane, cr: Plane) {
        precondition(image.channels >= 3)
        let n = image.width * image.height, c = image.channels
        var y = [Float](repeating: 0, count: n), cb = y, cr = y
        for i in 0..<n {
            (y[i], cb[i], cr[i]) = ycbcr(r: Float(image.samples[i * c]), g: Float(image.samples[i * c + 1]),
                                         b: Float(image.samples[i * c + 2]))
        }
        return (Plane(width: image.width, height: image.height, values: y),
                Plane(width: image.width, height: image.height, values: cb),
                Plane(width: image.width, height: image.height, values: cr))
    }

    /// Interleaved 8-bit RGB samples from Y, Cb, Cr planes of the same size (rounded, clamped).
    public static func rgbSamples(y: Plane, cb: Plane, cr: Plane) -> [UInt8] {
        let n = y.width * y.height
        var out = [UInt8](repeating: 0, count: 3 * n)
        for i in 0..<n {
            (out[3 * i], out[3 * i + 1], out[3 * i + 2]) = rgb(y: y.values[i], cb: cb.values[i], cr: cr.values[i])
        }
        return out
    }

    /// A sample in [0, 255] rounded to the nearest integer and clamped.
    @inline(__always)
    public static func to8Bit(_ v: Float) -> UInt8 {
        guard v > 0 else { return 0 }
        return v >= 255 ? 255 : UInt8(v.rounded())
    }
}
