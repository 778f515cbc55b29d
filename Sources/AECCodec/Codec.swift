import AECBase
import AECImage
import AECNet
import CZlib
import Foundation

/// Options of `Codec.encode`.
public struct EncodeOptions: Sendable {
    /// Bits per code value, 2…8.
    public var bits = Codec.defaultBits
    /// Code chroma (Cb, Cr) at half resolution in each direction.
    public var halfResolutionChroma = false
    /// Threads for the network (the output does not depend on it).
    public var jobs = 1
    public init() {}
}

/// Images ⇄ `.aec` bytes with one model.
///
/// Encoding: image → planes (gray, or Y Cb Cr) → 28×28 tiles (edge-padded) → encoder network → code
/// rounded to B bits → symbols range-coded with the model's entropy tables → container. Decoding runs the
/// same steps backwards. Each tile goes through the network on its own, so the output is the same for any
/// number of jobs.
public final class Codec: @unchecked Sendable {
    public static let defaultBits = 6

    public let model: CodecModel
    public init(model: CodecModel) { self.model = model }

    // MARK: Encoding

    public struct Encoded: Sendable {
        public var bytes: [UInt8]
        /// Notes for the user (e.g. an RGB image that was coded as gray because R = G = B).
        public var notes: [String]
    }

    public func encode(_ image: Image, options: EncodeOptions = EncodeOptions()) throws -> Encoded {
        guard image.width > 0, image.height > 0 else { throw CodecError.emptyImage }
        guard let entropy = try model.entropyModel(bits: options.bits) else {
            throw CodecError.unsupportedBits(options.bits, available: model.availableBits)
        }
        // The header has room for Limits.bits only: a 9-bit code would overwrite the colour mode, so a
        // model with tables for more bits (the entropy model allows up to 16) cannot code at those depths.
        guard Limits.bits.contains(options.bits) else { throw CodecError.bitsOutOfRange(options.bits) }
        var notes: [String] = []
        let colourChannels = image.channels >= 3 ? 3 : 1
        let isGray = colourChannels == 1 || Self.isGrayscale(image)
        if colourChannels == 3 && isGray { notes.append("R = G = B everywhere: coded as grayscale") }

        let planes: [Plane]
        let colour: AECFile.ColourMode
        if isGray {
            planes = [Self.plane(of: image, channel: 0)]
            colour = .gray
        } else {
            let (y, cb, cr) = ColorTransform.ycbcrPlanes(of: image)
            planes = options.halfResolutionChroma ? [y, cb.halved(), cr.halved()] : [y, cb, cr]
            colour = options.halfResolutionChroma ? .ycbcr420 : .ycbcr444
        }

        let quantizer = CodeQuantizer(bits: options.bits)
        var encoder = RangeEncoder()
        let perTile = entropy.symbolsPerTile
        var symbols = [UInt16](repeating: 0, count: perTile)
        for plane in planes {
            let tiles = Tiling.tiles(of: plane)
            let codes = runEncoder(tiles: tiles, jobs: options.jobs)
            for t in 0..<(codes.count / perTile) {
                for i in 0..<perTile { symbols[i] = UInt16(quantizer.symbol(codes[t * perTile + i])) }
                symbols.withUnsafeBufferPointer { s in
                    for i in 0..<perTile {
                        encoder.encode(Int(s[i]), with: entropy.tables[entropy.tableIndex(i, symbols: s.baseAddress!)])
                    }
                }
            }
        }
        let alpha = try Self.alphaBlock(of: image)
        let file = AECFile(modelFingerprint: model.fingerprint, bits: options.bits, colour: colour,
                           width: image.width, height: image.height, alpha: alpha, payload: encoder.finish())
        return Encoded(bytes: file.serialized(), notes: notes)
    }

    /// The code of every tile ([tiles × 28·28] in, [tiles × codeCount] out), on `jobs` threads.
    public func runEncoder(tiles: [Float], jobs: Int) -> [Float] {
        TileNetwork(model.network).encode(tiles: tiles, jobs: jobs)
    }

    /// The reconstructed tiles ([tiles × 28·28]) from codes ([tiles × codeCount]), on `jobs` threads.
    public func runDecoder(codes: [Float], jobs: Int) -> [Float] {
        TileNetwork(model.network).decode(codes: codes, jobs: jobs)
    }

    // MARK: Decoding

    public func decode(_ bytes: [UInt8], jobs: Int = 1, maxPixels: Int = Limits.defaultMaxPixels) throws -> Image {
        try decode(AECFile(bytes: bytes, maxPixels: maxPixels), jobs: jobs)
    }

    /// Decodes a file whose container has been read (and checked) already.
    public func decode(_ file: AECFile, jobs: Int = 1) throws -> Image {
        guard file.modelFingerprint == model.fingerprint else {
            throw CodecError.wrongModel(file: file.modelFingerprint, model: model.fingerprint)
        }
        guard let entropy = try model.entropyModel(bits: file.bits) else {
            throw CodecError.unsupportedBits(file.bits, available: model.availableBits)
        }
        let sizes: [(Int, Int)]
        switch file.colour {
        case .gray: sizes = [(file.width, file.height)]
        case .ycbcr444: sizes = Array(repeating: (file.width, file.height), count: 3)
        case .ycbcr420:
            let half = ((file.width + 1) / 2, (file.height + 1) / 2)
            sizes = [(file.width, file.height), half, half]
        }
        let quantizer = CodeQuantizer(bits: file.bits)
        var decoder = RangeDecoder(file.payload[...])
        let perTile = entropy.symbolsPerTile
        var symbols = [UInt16](repeating: 0, count: perTile)
        // All symbols first (cheap), so a damaged stream is refused before any network work.
        var planeCodes: [[Float]] = []
        for (w, h) in sizes {
            let (columns, rows) = Tiling.grid(width: w, height: h)
            var codes = [Float](repeating: 0, count: columns * rows * perTile)
            for t in 0..<(columns * rows) {
                symbols.withUnsafeMutableBufferPointer { s in
                    for i in 0..<perTile {
                        let table = entropy.tables[entropy.tableIndex(i, symbols: s.baseAddress!)]
                        s[i] = UInt16(decoder.decode(with: table))
                        codes[t * perTile + i] = quantizer.value(Int(s[i]))
                    }
                }
            }
            planeCodes.append(codes)
        }
        guard decoder.bytesPastEnd <= RangeDecoder.maxBytesPastEnd else { throw CodecError.truncated }
        let planes = zip(sizes, planeCodes).map { size, codes in
            Tiling.plane(fromTiles: runDecoder(codes: codes, jobs: jobs), width: size.0, height: size.1)
        }

        let alpha = try file.alpha.map { try Self.inflateAlpha($0, count: file.width * file.height) }
        return Self.image(planes: planes, colour: file.colour, alpha: alpha, width: file.width, height: file.height)
    }

    // MARK: Planes ⇄ images

    static func isGrayscale(_ image: Image) -> Bool {
        let c = image.channels
        guard c >= 3 else { return true }
        for i in 0..<(image.width * image.height) {
            let r = image.samples[i * c]
            if image.samples[i * c + 1] != r || image.samples[i * c + 2] != r { return false }
        }
        return true
    }

    static func plane(of image: Image, channel: Int) -> Plane {
        let c = image.channels
        return Plane(width: image.width, height: image.height,
                     values: (0..<(image.width * image.height)).map { Float(image.samples[$0 * c + channel]) / 255 })
    }

    static func image(planes: [Plane], colour: AECFile.ColourMode, alpha: [UInt8]?, width: Int, height: Int) -> Image {
        let n = width * height
        var samples: [UInt8]
        var channels: Int
        if colour == .gray {
            samples = planes[0].values.map { ColorTransform.to8Bit(255 * $0) }
            channels = 1
        } else {
            let cb = colour == .ycbcr420 ? planes[1].doubled(width: width, height: height) : planes[1]
            let cr = colour == .ycbcr420 ? planes[2].doubled(width: width, height: height) : planes[2]
            samples = ColorTransform.rgbSamples(y: planes[0], cb: cb, cr: cr)
            channels = 3
        }
        if let alpha {
            var withAlpha = [UInt8](repeating: 0, count: n * (channels + 1))
            for i in 0..<n {
                for ch in 0..<channels { withAlpha[i * (channels + 1) + ch] = samples[i * channels + ch] }
                withAlpha[i * (channels + 1) + channels] = alpha[i]
            }
            samples = withAlpha
            channels += 1
        }
        return Image(width: width, height: height, channels: channels, samples: samples)
    }

    // MARK: Alpha, stored losslessly

    /// The alpha plane compressed with zlib, or nil when there is no alpha or it is opaque everywhere.
    static func alphaBlock(of image: Image) throws -> [UInt8]? {
        guard image.channels == 2 || image.channels == 4 else { return nil }
        let c = image.channels
        let alpha = (0..<(image.width * image.height)).map { image.samples[$0 * c + c - 1] }
        guard alpha.contains(where: { $0 != 255 }) else { return nil }
        var size = compressBound(uLong(alpha.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = compress2(&out, &size, alpha, uLong(alpha.count), 9)
        guard status == Z_OK else { throw CodecError.encodingFailed("zlib could not compress the alpha plane (status \(status))") }
        return Array(out[0..<Int(size)])
    }

    static func inflateAlpha(_ block: [UInt8], count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var size = uLong(count)
        let status = uncompress(&out, &size, block, uLong(block.count))
        guard status == Z_OK, Int(size) == count else { throw CodecError.corrupt("bad alpha block") }
        return out
    }
}
