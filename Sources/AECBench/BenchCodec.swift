import AECCodec
import AECImage

/// One codec at one setting, as the comparison runs it: in process, one image per call.
public enum BenchCodec: Sendable {
    /// aec with a model (named for the report) at a bit depth it has entropy tables for; colour images with
    /// chroma at full resolution (4:4:4), or at half resolution in each direction when `halfChroma`.
    /// With `tiles`, in 28×28 tiles even where the image would be coded whole.
    case aec(model: String, codec: Codec, bits: Int, halfChroma: Bool = false, tiles: Bool = false)
    /// aec as `aec-encode -q` codes: rung `rung` of `QualityLadder`, each image with whichever of the rung's
    /// models suits it (`CodecChoice`); chroma and tiles as for `.aec`.
    case aecAutomatic(rung: Int, choice: CodecChoice, halfChroma: Bool = false, tiles: Bool = false)
    /// Baseline JPEG through libjpeg (gray: one component; colour: YCbCr 4:2:0) with standard or optimized
    /// Huffman tables.
    case jpeg(quality: Int, optimizedHuffman: Bool)
    /// Lossy WebP through libwebp (gray is coded as RGB with R = G = B), at its defaults or with the
    /// settings that favour PSNR (`WebP.Settings.forPSNR`).
    case webp(quality: Int, forPSNR: Bool = false)

    /// The curve of WebP with `WebP.Settings.forPSNR`.
    public static let webpForPSNRCurve = "WebP (-m 6 -segments 1 -sns 0)"

    /// The curve of `.aecAutomatic`.
    public static let automaticCurve = "aec (automatic, -q)"

    /// The curve this setting belongs to ("aec default", "JPEG", "JPEG (optimized Huffman)", "WebP", …).
    public var curve: String {
        switch self {
        case .aec(let model, _, _, _, _): return "aec \(model)"
        case .aecAutomatic: return Self.automaticCurve
        case .jpeg(_, let optimized): return optimized ? "JPEG (optimized Huffman)" : "JPEG"
        case .webp(_, let forPSNR): return forPSNR ? Self.webpForPSNRCurve : "WebP"
        }
    }

    /// The setting within its curve ("6 bits", "q50").
    public var setting: String {
        switch self {
        case .aec(_, _, let bits, _, _): return "\(bits) bits"
        case .aecAutomatic(let rung, _, _, _): return "q\(QualityLadder.qualities(ofRung: rung).upperBound)"
        case .jpeg(let q, _), .webp(let q, _): return "q\(q)"
        }
    }

    /// The number that orders settings within a curve (bits or quality).
    public var parameter: Int {
        switch self {
        case .aec(_, _, let bits, _, _): return bits
        case .aecAutomatic(let rung, _, _, _): return rung
        case .jpeg(let q, _), .webp(let q, _): return q
        }
    }

    /// A short machine-friendly family name for the CSV ("aec", "jpeg", "jpeg-opt", "webp", "webp-psnr").
    public var family: String {
        switch self {
        case .aec: return "aec"
        case .aecAutomatic: return "aec-auto"
        case .jpeg(_, let optimized): return optimized ? "jpeg-opt" : "jpeg"
        case .webp(_, let forPSNR): return forPSNR ? "webp-psnr" : "webp"
        }
    }

    public var isAEC: Bool {
        switch self {
        case .aec, .aecAutomatic: return true
        case .jpeg, .webp: return false
        }
    }

    /// The whole compressed file for `image` (1 or 3 channels).
    public func encode(_ image: Image) throws -> [UInt8] {
        switch self {
        case let .aec(_, codec, bits, halfChroma, tiles):
            var options = EncodeOptions()
            options.bits = bits
            options.halfResolutionChroma = halfChroma
            if tiles { options.wholeImage = false }
            return try codec.encode(image, options: options).bytes
        case let .aecAutomatic(_, choice, halfChroma, tiles):
            var options = EncodeOptions()
            options.halfResolutionChroma = halfChroma
            if tiles { options.wholeImage = false }
            return try choice.encode(image, options: options).encoded.bytes
        case let .jpeg(quality, optimized):
            return try JPEG.encode(image, quality: quality, optimizeHuffman: optimized)
        case let .webp(quality, forPSNR):
            return try WebP.encode(image, quality: Float(quality), settings: forPSNR ? .forPSNR : .defaults)
        }
    }

    /// The decoded image with `channels` channels (1 or 3), as `encode` was given.
    public func decode(_ bytes: [UInt8], channels: Int) throws -> Image {
        let image: Image
        switch self {
        case .aec(_, let codec, _, _, _): image = try codec.decode(bytes)
        case .aecAutomatic(_, let choice, _, _):
            let file = try AECFile(bytes: bytes, maxPixels: Limits.defaultMaxPixels)
            guard let codec = choice.candidates.first(where: { $0.codec.model.fingerprint == file.modelFingerprint })?.codec else {
                throw BenchError.invalid("a file made by none of the candidates")
            }
            image = try codec.decode(file)
        case .jpeg: image = try JPEG.decode(bytes)
        case .webp: image = try WebP.decode(bytes)
        }
        if image.channels == channels { return image }
        if channels == 1 && image.channels >= 3 {  // gray coded as R = G = B: any channel is the gray
            let c = image.channels
            return Image(width: image.width, height: image.height, channels: 1,
                         samples: (0..<(image.width * image.height)).map { image.samples[$0 * c] })
        }
        throw BenchError.invalid("decoded \(image.channels) channels, expected \(channels)")
    }
}
