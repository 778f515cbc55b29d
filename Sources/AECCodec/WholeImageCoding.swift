import AECBase
import AECImage
import AECNet

/// Format version 5: each plane coded whole by the fully convolutional network (`WholePlaneNetwork`)
/// instead of in 28×28 tiles — no tile seams, and the convolutions see across what were tile borders.
///
/// Per plane (gray, or Y, Cb, Cr), the payload holds a flag from `FlatTiles.flagTable`: 1 for a plane whose
/// samples are all equal, followed by its level (`FlatTiles.levelTable`); 0 for a plane drawn by the
/// network, followed by its offset (`offsetSymbol`) and its code: ⌈h/4⌉ × ⌈w/4⌉ × C symbols in raster
/// order (row, column, channel), each coded with the table `PlaneEntropyModel` picks from its left and
/// upper neighbours.
///
/// The offset corrects the drawn plane's mean: the shipped models, which learned Fashion-MNIST, draw
/// photographs' planes several levels too dark (−4 to −9 of 255 on the validation photographs, chroma
/// most: a green cast); adding the mean error back gained 0.7 dB on luma and 3–4.5 dB on chroma there, for
/// 10 bits a plane. The encoder finds it by decoding what it coded.
extension Codec {
    /// Whether to code `planes` whole: never for an image over `Limits.wholeImageMaxPixels`; else
    /// `options.wholeImage` when set; never for an image of one tile (which
    /// gives the same code either way, and the tile tables, by position in the 7×7 grid, code it in fewer
    /// bytes); otherwise whichever way reconstructs a sample of the first plane better (`wholeImageWins`).
    func codesWholeImage(_ image: Image, planes: [PlaneSource], options: EncodeOptions) -> Bool {
        if image.width * image.height > Limits.wholeImageMaxPixels { return false }
        if let whole = options.wholeImage { return whole }
        if image.width <= Tiling.side && image.height <= Tiling.side { return false }
        return wholeImageWins(planes[0], bits: options.bits, jobs: options.jobs)
    }

    /// Side of the sample `wholeImageWins` codes both ways: 8 tiles.
    static let choiceSampleSide = 8 * Tiling.side

    /// Whether coding whole reconstructs the central `choiceSampleSide`² region of `plane` (at most; placed
    /// on the tile grid) with a smaller squared error than coding it in tiles, both at `bits` bits. The
    /// network learned 28×28 tiles: on photographs whole planes win by 3–5 dB (no seams), on images made of
    /// tile-sized pictures on the tile grid, or a few pixels wide, tiles win. Costs about four times the
    /// network work of the sample, not of the image.
    func wholeImageWins(_ source: PlaneSource, bits: Int, jobs: Int) -> Bool {
        let side = Self.choiceSampleSide
        let w = min(side, source.width), h = min(side, source.height)
        let x0 = (source.width - w) / 2 / Tiling.side * Tiling.side, y0 = (source.height - h) / 2 / Tiling.side * Tiling.side
        let rows = source.rows(y0 ..< y0 + h)
        var sample = Plane(width: w, height: h)
        for y in 0..<h { for x in 0..<w { sample[x, y] = rows[x0 + x, y] } }
        let quantizer = CodeQuantizer(bits: bits)
        let quantize = { (code: [Float]) in code.map { quantizer.value(quantizer.symbol($0)) } }

        let tiles = TileNetwork(model.network, decoder: model.decoder, encoder: model.encoder)
        let tiled = Tiling.plane(fromTiles: tiles.decode(codes: quantize(tiles.encode(tiles: Tiling.tiles(of: sample), jobs: jobs)), jobs: jobs),
                                 width: w, height: h)
        let network = WholePlaneNetwork(model.network, decoder: model.decoder, encoder: model.encoder)
        let whole = network.decode(code: quantize(network.encode(plane: sample.values, width: w, height: h, jobs: jobs)),
                                   width: w, height: h, jobs: jobs)
        func squaredError(_ values: [Float]) -> Double {
            zip(values, sample.values).reduce(0.0) { total, pair in
                let d = Double(min(max(pair.0, 0), 1) - pair.1)
                return total + d * d
            }
        }
        return squaredError(whole) < squaredError(tiled.values)
    }

    /// The payload of `planes` coded whole.
    func encodeWholePlanes(_ planes: [PlaneSource], entropy: EntropyModel, jobs: Int,
                           progress: ProgressHandler?) -> [UInt8] {
        let planeModel = PlaneEntropyModel(pooling: entropy)
        let quantizer = CodeQuantizer(bits: entropy.bits)
        let network = WholePlaneNetwork(model.network, decoder: model.decoder, encoder: model.encoder)
        let channels = model.network.architecture.codeChannels
        var encoder = RangeEncoder()
        let total = Double(planes.reduce(0) { $0 + $1.width * $1.height })
        var done = 0
        for source in planes {
            let share = Double(source.width * source.height) / total, before = Double(done) / total
            let plane = source.rows(0..<source.height)
            if let level = Self.flatLevel(of: plane.values) {
                encoder.encode(1, with: FlatTiles.flagTable)
                encoder.encode(level, with: FlatTiles.levelTable)
            } else {
                encoder.encode(0, with: FlatTiles.flagTable)
                // [codeHeight × codeWidth × channels]; half of this plane's progress, the check decode the other.
                let code = network.encode(plane: plane.values, width: plane.width, height: plane.height, jobs: jobs,
                                          progress: progress.map { handler in { handler(before + share * $0 / 2) } })
                let symbols = code.map { quantizer.symbol($0) }
                let drawn = network.decode(code: symbols.map { quantizer.value($0) }, width: plane.width, height: plane.height,
                                           jobs: jobs, progress: progress.map { handler in { handler(before + share * (0.5 + $0 / 2)) } })
                encoder.encode(Self.offsetSymbol(original: plane.values, drawn: drawn), with: FlatTiles.levelTable)
                let codeWidth = (plane.width + 3) / 4
                for i in 0..<symbols.count {
                    let x = (i / channels) % codeWidth
                    let table = planeModel.tableIndex(channel: i % channels, left: x > 0 ? symbols[i - channels] : nil,
                                                      up: i >= codeWidth * channels ? symbols[i - codeWidth * channels] : nil)
                    encoder.encode(symbols[i], with: planeModel.tables[table])
                }
            }
            done += plane.width * plane.height
            progress?(Double(done) / total)
        }
        return encoder.finish()
    }

    /// The offset symbol, 0…1023, for the value (symbol − 512) / 1023 added to every sample of the drawn
    /// plane: the mean of original − drawn, rounded to the nearest 1/1023 (and clamped to −512…511).
    static func offsetSymbol(original: [Float], drawn: [Float]) -> Int {
        let sum = zip(original, drawn).reduce(0.0) { $0 + Double($1.0 - $1.1) }
        let steps = (sum / Double(original.count) * Double(FlatTiles.levelMax)).rounded()
        return Int(min(max(steps, -512), 511)) + 512
    }

    /// The value an offset symbol adds to a drawn plane.
    static func offsetValue(_ symbol: Int) -> Float { Float(symbol - 512) / Float(FlatTiles.levelMax) }

    /// The level of a plane whose values are all equal (as `FlatTiles.level`), nil otherwise.
    static func flatLevel(of values: [Float]) -> Int? {
        values.withUnsafeBufferPointer { FlatTiles.level(ofTile: $0) }
    }

    /// The sizes of a file's planes: gray, or Y, Cb, Cr (chroma halved in 4:2:0).
    static func planeSizes(_ file: AECFile) -> [(width: Int, height: Int)] {
        switch file.colour {
        case .gray: return [(file.width, file.height)]
        case .ycbcr444: return Array(repeating: (file.width, file.height), count: 3)
        case .ycbcr420:
            let half = ((file.width + 1) / 2, (file.height + 1) / 2)
            return [(file.width, file.height), half, half]
        }
    }

    /// Decodes a version-5 file: reads every plane's flag and code (a payload too short for them is
    /// refused first), then draws each plane with the network and converts to 8-bit samples.
    func decodeWholeImage(_ file: AECFile, entropy: EntropyModel, jobs: Int, progress: ProgressHandler?) throws -> Image {
        guard file.width * file.height <= Limits.wholeImageMaxPixels else {
            throw CodecError.corrupt("a whole-image (version 5) file holds at most \(Limits.wholeImageMaxPixels) pixels, this one declares \(file.width)×\(file.height)")
        }
        let planeModel = PlaneEntropyModel(pooling: entropy)
        let channels = model.network.architecture.codeChannels
        let sizes = Self.planeSizes(file)
        let symbolCounts = sizes.map { ((($0.width + 3) / 4) * (($0.height + 3) / 4) * channels) }
        let leastBits = symbolCounts.reduce(0.0) {
            $0 + FlatTiles.leastBitsPerTile(symbols: $1, leastBitsPerSymbol: planeModel.leastBitsPerSymbol)
        }
        // As for tiles: 4 bytes to start, one per 8 bits, at most `maxBytesPastEnd` bytes past the end.
        guard Double(file.payload.count + 2) * 8 >= leastBits else { throw CodecError.truncated }

        // Every plane's flag and symbols first: nothing large is computed for a file that turns out truncated.
        var decoder = RangeDecoder(file.payload[...])
        var levels: [Int?] = []
        var offsets: [Float] = []
        var codes: [[UInt8]] = []
        for (size, count) in zip(sizes, symbolCounts) {
            if decoder.decode(with: FlatTiles.flagTable) == 1 {
                levels.append(decoder.decode(with: FlatTiles.levelTable))
                offsets.append(0)
                codes.append([])
            } else {
                levels.append(nil)
                offsets.append(Self.offsetValue(decoder.decode(with: FlatTiles.levelTable)))
                let codeWidth = (size.width + 3) / 4
                var symbols = [UInt8](repeating: 0, count: count)
                for i in 0..<count {
                    let x = (i / channels) % codeWidth
                    let table = planeModel.tableIndex(channel: i % channels, left: x > 0 ? Int(symbols[i - channels]) : nil,
                                                      up: i >= codeWidth * channels ? Int(symbols[i - codeWidth * channels]) : nil)
                    symbols[i] = UInt8(decoder.decode(with: planeModel.tables[table]))
                    if i % 4096 == 4095, decoder.bytesPastEnd > RangeDecoder.maxBytesPastEnd { throw CodecError.truncated }
                }
                codes.append(symbols)
            }
            guard decoder.bytesPastEnd <= RangeDecoder.maxBytesPastEnd else { throw CodecError.truncated }
        }
        let alpha = try file.alpha.map { try Self.inflateAlpha($0, count: file.width * file.height) }

        let quantizer = CodeQuantizer(bits: entropy.bits)
        let network = WholePlaneNetwork(model.network, decoder: model.decoder, encoder: model.encoder)
        var planes: [Plane] = []
        let total = Double(sizes.reduce(0) { $0 + $1.width * $1.height })
        var done = 0.0
        for (k, size) in sizes.enumerated() {
            let share = Double(size.width * size.height) / total, before = done
            if let level = levels[k] {
                planes.append(Plane(width: size.width, height: size.height, repeating: FlatTiles.value(ofLevel: level)))
            } else {
                let values = network.decode(code: codes[k].map { quantizer.value(Int($0)) }, width: size.width,
                                            height: size.height, jobs: jobs,
                                            progress: progress.map { handler in { handler(before + share * $0) } })
                let offset = offsets[k]
                planes.append(Plane(width: size.width, height: size.height, values: values.map { $0 + offset }))
            }
            done += share
            progress?(done)
        }

        let colourChannels = file.colour == .gray ? 1 : 3
        let channelCount = colourChannels + (alpha == nil ? 0 : 1)
        var samples = [UInt8](repeating: 0, count: file.width * file.height * channelCount)
        if file.colour == .gray {
            for i in 0..<(file.width * file.height) { samples[i * channelCount] = ColorTransform.to8Bit(255 * planes[0].values[i]) }
        } else {
            let divisor = file.colour == .ycbcr420 ? 2 : 1
            for y in 0..<file.height {
                for x in 0..<file.width {
                    let c = (y / divisor) * planes[1].width + x / divisor
                    let o = (y * file.width + x) * channelCount
                    (samples[o], samples[o + 1], samples[o + 2]) =
                        ColorTransform.rgb(y: planes[0].values[y * file.width + x], cb: planes[1].values[c], cr: planes[2].values[c])
                }
            }
        }
        if let alpha {
            for i in 0..<alpha.count { samples[i * channelCount + channelCount - 1] = alpha[i] }
        }
        return Image(width: file.width, height: file.height, channels: channelCount, samples: samples)
    }
}
