import CImageIO

/// Lossy WebP through libwebp, in memory; used to compare the codec with WebP.
public enum WebP {
    /// Encoder settings beyond the quality, as cwebp's `-m`, `-segments` and `-sns`; nil keeps the
    /// default preset's value.
    public struct Settings: Sendable, Equatable {
        public var method: Int?
        public var segments: Int?
        public var snsStrength: Int?
        public init(method: Int? = nil, segments: Int? = nil, snsStrength: Int? = nil) {
            self.method = method; self.segments = segments; self.snsStrength = snsStrength
        }
        /// libwebp's default preset: method 4, 4 segments, sns 50 (what `cwebp -q Q` does).
        public static let defaults = Settings()
        /// `cwebp -m 6 -segments 1 -sns 0`: the slowest method, without the segmentation and spatial noise
        /// shaping that spend bytes for perceived rather than measured quality. On small gray images it needs
        /// 15–17% fewer bytes than the defaults at equal PSNR.
        public static let forPSNR = Settings(method: 6, segments: 1, snsStrength: 0)
    }

    /// Encodes `image` as a lossy WebP with libwebp's default preset and `settings`.
    ///
    /// WebP has no gray mode: gray (and gray + alpha) images are widened to RGB (RGBA) with R = G = B; take
    /// any colour channel of the decoded image to get the gray back. Alpha, when present, is kept.
    /// - Parameter quality: libwebp's quality factor, 0...100.
    /// - Throws: `ImageIOError.Kind.invalidArgument` for a quality outside 0...100, settings libwebp refuses,
    ///   or a side over 16383 pixels.
    public static func encode(_ image: Image, quality: Float, settings: Settings = .defaults) throws -> [UInt8] {
        guard quality >= 0 && quality <= 100 else {
            throw ImageIOError(.invalidArgument, "WebP quality \(quality) is outside 0...100")
        }
        let method = Int32(settings.method ?? -1), segments = Int32(settings.segments ?? -1)
        let sns = Int32(settings.snsStrength ?? -1)
        return try CBridge.encode(image) { pixels, width, height, channels, out, size, err, errlen in
            aec_webp_encode(pixels, width, height, channels, quality, method, segments, sns, out, size, err, errlen)
        }
    }

    /// Decodes a WebP: a 3-channel RGB image, or 4-channel RGBA when the file has alpha.
    /// - Throws: `ImageIOError` — `.notThisFormat`, `.corrupt` or `.tooLarge` (more than `maxPixels` pixels).
    public static func decode(_ bytes: [UInt8], maxPixels: Int = Image.defaultMaxPixels) throws -> Image {
        try CBridge.decode(bytes, maxPixels: maxPixels, aec_webp_decode)
    }

    /// libwebp's version, e.g. "1.2.4".
    public static var libraryVersion: String {
        let v = Int(aec_webp_encoder_version())
        return "\(v >> 16).\((v >> 8) & 0xFF).\(v & 0xFF)"
    }
}

extension JPEG {
    /// The libjpeg in use, e.g. "libjpeg-turbo 2.1.5 (libjpeg API 62)".
    public static var libraryVersion: String {
        var api: Int32 = 0
        let turbo = Int(aec_jpeg_library_version(&api))
        let apiText = "libjpeg API \(api / 10)\(api % 10 == 0 ? "" : String(UnicodeScalar(UInt8(96 + api % 10))))"
        guard turbo > 0 else { return apiText }
        return "libjpeg-turbo \(turbo / 1_000_000).\((turbo / 1000) % 1000).\(turbo % 1000) (\(apiText))"
    }
}
