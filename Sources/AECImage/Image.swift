/// An 8-bit image: `width × height` pixels of `channels` interleaved samples each.
///
/// Channels: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. `samples` is row-major, the samples of one pixel adjacent:
/// sample `c` of pixel `(x, y)` is `samples[(y * width + x) * channels + c]`.
public struct Image: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var samples: [UInt8]

    /// The largest image (width × height) the decoders and the codec accept unless told otherwise:
    /// 100 megapixels. The one definition; `AECCodec.Limits` gathers it with the codec's other limits.
    public static let defaultMaxPixels = 100_000_000

    /// The most bytes an input file (PNG or `.aec`) may have when its image may have `maxPixels` pixels:
    /// 8 bytes per pixel (a stored, uncompressed 16-bit RGBA PNG needs that much) plus 16 MiB for metadata
    /// chunks. 816 MB at the default pixel limit; a longer input is refused before it is read whole.
    public static func inputByteLimit(maxPixels: Int) -> Int {
        let metadata = 16 << 20
        let pixels = min(max(0, maxPixels), (Int.max - metadata) / 8)  // Int.max pixels: no limit
        return pixels * 8 + metadata
    }

    /// Creates an image from its samples.
    ///
    /// - Precondition: `width ≥ 1`, `height ≥ 1`, `channels` in 1...4 and
    ///   `samples.count == width * height * channels`. Decoders check their input before calling this.
    public init(width: Int, height: Int, channels: Int, samples: [UInt8]) {
        precondition(width >= 1 && height >= 1, "image size must be at least 1x1, got \(width)x\(height)")
        precondition((1...4).contains(channels), "image channels must be 1...4, got \(channels)")
        precondition(samples.count == width * height * channels,
                     "\(width)x\(height)x\(channels) image needs \(width * height * channels) samples, got \(samples.count)")
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }

    /// Whether the last channel is alpha (2 or 4 channels).
    public var hasAlpha: Bool { channels == 2 || channels == 4 }

    /// A 1-channel copy: alpha is dropped, and colour becomes JPEG's full-range luma
    /// `Y = 0.299 R + 0.587 G + 0.114 B`, rounded to the nearest integer (halves away from zero) and clamped
    /// to 0...255. A gray image is returned unchanged.
    public func toGray() -> Image {
        if channels == 1 { return self }
        let count = width * height
        let stride = channels
        var gray = [UInt8](repeating: 0, count: count)
        samples.withUnsafeBufferPointer { source in
            gray.withUnsafeMutableBufferPointer { out in
                if stride <= 2 {
                    for i in 0..<count { out[i] = source[i * stride] }
                } else {
                    for i in 0..<count {
                        let r = Double(source[i * stride])
                        let g = Double(source[i * stride + 1])
                        let b = Double(source[i * stride + 2])
                        let y = (0.299 * r + 0.587 * g + 0.114 * b).rounded()
                        out[i] = UInt8(min(max(y, 0), 255))
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: 1, samples: gray)
    }
}
