import AECBase
import AECImage
import AECNet
import Foundation

/// Options of `Codec.encode`.
public struct EncodeOptions: Sendable {
    /// Bits per code value, 2…8.
    public var bits = Codec.defaultBits
    /// Code chroma (Cb, Cr) at half resolution in each direction.
    public var halfResolutionChroma = false
    /// Threads for the network (the output does not depend on it).
    public var jobs = 1
    /// The largest image accepted, in pixels and in coded pixels (`Limits.checkSize`).
    public var maxPixels = Limits.defaultMaxPixels
    /// The format version written: 3, or 2 (no flat tiles) for the tests of older readers' files. (5, whole
    /// images, follows from `wholeImage`; 4 from `metadata`.)
    var formatVersion = AECFile.version
    /// Code each plane whole (format version 5) instead of in 28×28 tiles; nil: whichever reconstructs a
    /// sample of the image better (`Codec.codesWholeImage`). Images over `Limits.wholeImageMaxPixels` are
    /// always coded in tiles.
    public var wholeImage: Bool?
    /// The colour profile and text notes to store with the image (written back into the PNG on decoding);
    /// a file with metadata is format version 4. Empty by default.
    public var metadata = ImageMetadata()
    /// Called after each band with the fraction of the work done (0…1], for progress within a file.
    public var progress: Codec.ProgressHandler?
    public init() {}
}

/// Images ⇄ `.aec` bytes with one model.
///
/// Encoding: image → planes (gray, or Y Cb Cr) → 28×28 tiles (edge-padded) → encoder network → code
/// rounded to B bits → symbols range-coded with the model's entropy tables → container. A tile whose
/// samples are all equal skips the network and is coded exactly (`FlatTiles`). Decoding runs the same
/// steps backwards.
///
/// Both directions work on bands of whole tile rows (`bandTileRows`), so their memory beyond the image
/// itself is a band's, not the image's. Each tile goes through the network on its own, so the output is the
/// same for any number of jobs and any band height.
public final class Codec: @unchecked Sendable {
    public static let defaultBits = 6

    /// Receives the fraction of a file's work done, after each band.
    public typealias ProgressHandler = @Sendable (_ fraction: Double) -> Void

    public let model: CodecModel
    public init(model: CodecModel) { self.model = model }

    /// Tile rows per band: at least 512 tiles (32 chunks of 16 for the threads to share evenly; 1.6 MB of
    /// tile samples) and an even number (a 4:2:0 chroma band then covers exactly two luma bands' rows).
    static func bandTileRows(columns: Int) -> Int {
        let rows = max(2, (512 + columns - 1) / columns)
        return rows + rows % 2
    }

    // MARK: Encoding

    public struct Encoded: Sendable {
        public var bytes: [UInt8]
        /// Notes for the user (e.g. an RGB image that was coded as gray because R = G = B).
        public var notes: [String]
    }

    public func encode(_ image: Image, options: EncodeOptions = EncodeOptions()) throws -> Encoded {
        guard image.width > 0, image.height > 0 else { throw CodecError.emptyImage }
        try Limits.checkSize(width: image.width, height: image.height, maxPixels: options.maxPixels)
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
        let colour: AECFile.ColourMode = isGray ? .gray : options.halfResolutionChroma ? .ycbcr420 : .ycbcr444

        let planes = PlaneSource.planes(of: image, gray: isGray, halfResolutionChroma: options.halfResolutionChroma)
        let whole = options.formatVersion >= 3 && codesWholeImage(image, planes: planes, options: options)
        let payload = whole ? encodeWholePlanes(planes, entropy: entropy, jobs: options.jobs, progress: options.progress)
                            : encodeTiles(planes, entropy: entropy, options: options)
        var file = AECFile(modelFingerprint: model.fingerprint, bits: options.bits, colour: colour,
                           width: image.width, height: image.height, alpha: Self.alphaBlock(of: image), payload: payload)
        file.formatVersion = whole ? AECFile.wholeImageVersion : options.formatVersion
        if options.formatVersion >= 3 { file.metadata = options.metadata }
        return Encoded(bytes: file.serialized(), notes: notes)
    }

    /// The payload of `planes` cut into 28×28 tiles (format versions 2 and 3), a band of tile rows at a time.
    private func encodeTiles(_ planes: [PlaneSource], entropy: EntropyModel, options: EncodeOptions) -> [UInt8] {
        var encoder = RangeEncoder()
        let totalTiles = planes.reduce(0) { total, plane in
            let (columns, rows) = Tiling.grid(width: plane.width, height: plane.height)
            return total + columns * rows
        }
        var tilesDone = 0
        for plane in planes {
            let (columns, rows) = Tiling.grid(width: plane.width, height: plane.height)
            let bandRows = Self.bandTileRows(columns: columns)
            for firstRow in stride(from: 0, to: rows, by: bandRows) {
                let end = min(rows, firstRow + bandRows)
                let band = plane.rows(firstRow * Tiling.side ..< min(end * Tiling.side, plane.height))
                encodeBand(Tiling.tiles(of: band), entropy: entropy, flagged: options.formatVersion >= 3,
                           jobs: options.jobs, into: &encoder)
                tilesDone += (end - firstRow) * columns
                options.progress?(Double(tilesDone) / Double(totalTiles))
            }
        }
        return encoder.finish()
    }

    /// Codes the tiles of one band ([tiles × 28·28], raster order): per tile its flag, then its level (flat)
    /// or its code symbols (network). Without flags (format version 2) every tile is a network tile.
    private func encodeBand(_ tiles: [Float], entropy: EntropyModel, flagged: Bool, jobs: Int,
                            into encoder: inout RangeEncoder) {
        let tileSize = Tiling.side * Tiling.side, perTile = entropy.symbolsPerTile
        let count = tiles.count / tileSize
        let levels = tiles.withUnsafeBufferPointer { t in
            (0..<count).map { flagged ? FlatTiles.level(ofTile: UnsafeBufferPointer(rebasing: t[$0 * tileSize ..< ($0 + 1) * tileSize])) : nil }
        }
        // The network tiles only, packed: [networkTiles × 28·28] → [networkTiles × perTile].
        var networkTiles: [Float] = []
        networkTiles.reserveCapacity(levels.lazy.filter { $0 == nil }.count * tileSize)
        for t in 0..<count where levels[t] == nil { networkTiles += tiles[t * tileSize ..< (t + 1) * tileSize] }
        let codes = runEncoder(tiles: networkTiles, jobs: jobs)

        let quantizer = CodeQuantizer(bits: entropy.bits)
        var symbols = [UInt16](repeating: 0, count: perTile)
        var next = 0  // the next network tile's code
        for level in levels {
            if let level {
                encoder.encode(1, with: FlatTiles.flagTable)
                encoder.encode(level, with: FlatTiles.levelTable)
                continue
            }
            if flagged { encoder.encode(0, with: FlatTiles.flagTable) }
            for i in 0..<perTile { symbols[i] = UInt16(quantizer.symbol(codes[next * perTile + i])) }
            symbols.withUnsafeBufferPointer { s in
                for i in 0..<perTile {
                    encoder.encode(Int(s[i]), with: entropy.tables[entropy.tableIndex(i, symbols: s.baseAddress!)])
                }
            }
            next += 1
        }
    }

    /// The code of every tile ([tiles × 28·28] in, [tiles × codeCount] out), on `jobs` threads.
    public func runEncoder(tiles: [Float], jobs: Int) -> [Float] {
        TileNetwork(model.network, encoder: model.encoder).encode(tiles: tiles, jobs: jobs)
    }

    /// The reconstructed tiles ([tiles × 28·28]) from codes ([tiles × codeCount]), on `jobs` threads.
    public func runDecoder(codes: [Float], jobs: Int) -> [Float] {
        TileNetwork(model.network, decoder: model.decoder).decode(codes: codes, jobs: jobs)
    }

    // MARK: Decoding

    public func decode(_ bytes: [UInt8], jobs: Int = 1, maxPixels: Int = Limits.defaultMaxPixels) throws -> Image {
        try decode(AECFile(bytes: bytes, maxPixels: maxPixels), jobs: jobs)
    }

    /// The symbols of one plane, read from the payload before any network work.
    struct PlaneSymbols {
        let width: Int, height: Int, columns: Int, rows: Int
        /// Per tile: its level when flat, nil when the network draws it.
        var levels: [Int?]
        /// [tiles × symbolsPerTile]; a flat tile's entries are unused.
        var symbols: [UInt8]
    }

    /// Decodes a file whose container has been read (and checked) already; `progress` hears after each
    /// band how much is done.
    public func decode(_ file: AECFile, jobs: Int = 1, progress: ProgressHandler? = nil) throws -> Image {
        guard file.modelFingerprint == model.fingerprint else {
            throw CodecError.wrongModel(file: file.modelFingerprint, model: model.fingerprint)
        }
        guard let entropy = try model.entropyModel(bits: file.bits) else {
            throw CodecError.unsupportedBits(file.bits, available: model.availableBits)
        }
        if file.formatVersion == AECFile.wholeImageVersion {
            return try decodeWholeImage(file, entropy: entropy, jobs: jobs, progress: progress)
        }
        let planes = try readSymbols(file, entropy: entropy)
        let alpha = try file.alpha.map { try Self.inflateAlpha($0, count: file.width * file.height) }

        // Bands of luma tile rows; in 4:2:0 a chroma band is half as many tile rows, starting at half the row.
        let channels = (file.colour == .gray ? 1 : 3) + (alpha == nil ? 0 : 1)
        var samples = [UInt8](repeating: 0, count: file.width * file.height * channels)
        let bandRows = Self.bandTileRows(columns: planes[0].columns)
        let chromaDivisor = file.colour == .ycbcr420 ? 2 : 1
        for firstRow in stride(from: 0, to: planes[0].rows, by: bandRows) {
            let lumaRows = firstRow ..< min(planes[0].rows, firstRow + bandRows)
            let y = decodeBand(planes[0], tileRows: lumaRows, entropy: entropy, jobs: jobs)
            let top = lumaRows.lowerBound * Tiling.side
            if file.colour == .gray {
                for i in 0..<y.values.count { samples[(top * file.width + i) * channels] = ColorTransform.to8Bit(255 * y.values[i]) }
            } else {
                let chromaRows = lumaRows.lowerBound / chromaDivisor ..< min(planes[1].rows, (lumaRows.upperBound + chromaDivisor - 1) / chromaDivisor)
                let cb = decodeBand(planes[1], tileRows: chromaRows, entropy: entropy, jobs: jobs)
                let cr = decodeBand(planes[2], tileRows: chromaRows, entropy: entropy, jobs: jobs)
                let chromaTop = chromaRows.lowerBound * Tiling.side
                for row in 0..<y.height {
                    let cy = (top + row) / chromaDivisor - chromaTop
                    for x in 0..<file.width {
                        let c = cy * cb.width + x / chromaDivisor
                        let o = ((top + row) * file.width + x) * channels
                        (samples[o], samples[o + 1], samples[o + 2]) =
                            ColorTransform.rgb(y: y.values[row * file.width + x], cb: cb.values[c], cr: cr.values[c])
                    }
                }
            }
            progress?(Double(lumaRows.upperBound) / Double(planes[0].rows))
        }
        if let alpha {
            for i in 0..<alpha.count { samples[i * channels + channels - 1] = alpha[i] }
        }
        return Image(width: file.width, height: file.height, channels: channels, samples: samples)
    }

    /// Every plane's symbols, in payload order. A payload too short for the symbols its header implies is
    /// refused before any is decoded, and a truncated one as soon as decoding runs past its end.
    func readSymbols(_ file: AECFile, entropy: EntropyModel) throws -> [PlaneSymbols] {
        let sizes = Self.planeSizes(file)
        let perTile = entropy.symbolsPerTile
        let flagged = file.formatVersion >= 3  // versions 1 and 2 have no flat tiles
        let tileCount = sizes.reduce(0) { total, size in
            let (columns, rows) = Tiling.grid(width: size.0, height: size.1)
            return total + columns * rows
        }
        let leastBitsPerTile = flagged
            ? FlatTiles.leastBitsPerTile(symbols: perTile, leastBitsPerSymbol: entropy.leastBitsPerSymbol)
            : Double(perTile) * entropy.leastBitsPerSymbol
        // The decoder reads 4 bytes to start and one more per 8 bits the symbols cost, and a complete stream
        // needs at most `maxBytesPastEnd` bytes past its end: so a complete payload has at least this many.
        guard Double(file.payload.count + 2) * 8 >= Double(tileCount) * leastBitsPerTile else { throw CodecError.truncated }

        var decoder = RangeDecoder(file.payload[...])
        var symbols = [UInt16](repeating: 0, count: perTile)
        var planes: [PlaneSymbols] = []
        for (w, h) in sizes {
            let (columns, rows) = Tiling.grid(width: w, height: h)
            var plane = PlaneSymbols(width: w, height: h, columns: columns, rows: rows,
                                     levels: [Int?](repeating: nil, count: columns * rows),
                                     symbols: [UInt8](repeating: 0, count: columns * rows * perTile))
            for t in 0..<(columns * rows) {
                if flagged && decoder.decode(with: FlatTiles.flagTable) == 1 {
                    plane.levels[t] = decoder.decode(with: FlatTiles.levelTable)
                } else {
                    symbols.withUnsafeMutableBufferPointer { s in
                        for i in 0..<perTile {
                            s[i] = UInt16(decoder.decode(with: entropy.tables[entropy.tableIndex(i, symbols: s.baseAddress!)]))
                            plane.symbols[t * perTile + i] = UInt8(s[i])
                        }
                    }
                }
                guard decoder.bytesPastEnd <= RangeDecoder.maxBytesPastEnd else { throw CodecError.truncated }
            }
            planes.append(plane)
        }
        return planes
    }

    /// Rows `tileRows` of a plane, drawn by the network (flat tiles filled with their level), cropped to the
    /// plane: a `width` × (rows in the band) plane.
    func decodeBand(_ plane: PlaneSymbols, tileRows: Range<Int>, entropy: EntropyModel, jobs: Int) -> Plane {
        let perTile = entropy.symbolsPerTile, tileSize = Tiling.side * Tiling.side
        let tiles = tileRows.lowerBound * plane.columns ..< tileRows.upperBound * plane.columns
        let quantizer = CodeQuantizer(bits: entropy.bits)
        // The network tiles' code values, packed: [networkTiles × perTile] → [networkTiles × 28·28].
        var codes: [Float] = []
        codes.reserveCapacity(tiles.count * perTile)
        for t in tiles where plane.levels[t] == nil {
            for s in plane.symbols[t * perTile ..< (t + 1) * perTile] { codes.append(quantizer.value(Int(s))) }
        }
        let drawn = runDecoder(codes: codes, jobs: jobs)
        var bandTiles = [Float](repeating: 0, count: tiles.count * tileSize)
        var next = 0
        for (k, t) in tiles.enumerated() {
            if let level = plane.levels[t] {
                for i in 0..<tileSize { bandTiles[k * tileSize + i] = FlatTiles.value(ofLevel: level) }
            } else {
                bandTiles.replaceSubrange(k * tileSize ..< (k + 1) * tileSize, with: drawn[next * tileSize ..< (next + 1) * tileSize])
                next += 1
            }
        }
        let top = tileRows.lowerBound * Tiling.side
        return Tiling.plane(fromTiles: bandTiles, width: plane.width, height: min(tileRows.upperBound * Tiling.side, plane.height) - top)
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

    // MARK: Alpha, stored losslessly

    /// The alpha plane compressed with zlib, or nil when there is no alpha or it is opaque everywhere.
    static func alphaBlock(of image: Image) -> [UInt8]? {
        guard image.channels == 2 || image.channels == 4 else { return nil }
        let c = image.channels
        let alpha = (0..<(image.width * image.height)).map { image.samples[$0 * c + c - 1] }
        guard alpha.contains(where: { $0 != 255 }) else { return nil }
        return Zlib.compress(alpha)
    }

    static func inflateAlpha(_ block: [UInt8], count: Int) throws -> [UInt8] {
        guard let alpha = Zlib.inflate(block, limit: count), alpha.count == count else { throw CodecError.corrupt("bad alpha block") }
        return alpha
    }
}
