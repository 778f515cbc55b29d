import AECBase
import AECNet

/// The network run over a whole plane instead of 28×28 tiles: the notes' network is fully convolutional,
/// so it can code an H×W plane (edge-padded to multiples of 4) into one ⌈H/4⌉×⌈W/4⌉×C code, with no tile
/// seams, the convolutions seeing across what used to be tile borders.
///
/// Memory stays bounded: the plane is processed in bands of code rows, each with a halo of rows above and
/// below deep enough (`Architecture.encoderHaloCodeRows`, `decoderHaloCodeRows`) that the band's own rows
/// come out exactly as from the whole plane — bit for bit, since every output value of every layer is the
/// same sum in the same order wherever it is computed. So the result does not depend on the band height,
/// and bands can run on several threads.
public struct WholePlaneNetwork: Sendable {
    public let network: Autoencoder
    /// What `decode` runs: the network's decoder in integers (`FixedPointDecoder`), the same on every CPU.
    public let decoder: FixedPointDecoder
    /// Code rows per band (≥ 1); `nil` picks them from the width (`defaultBandCodeRows`).
    public var bandCodeRows: Int?
    /// Added to the architecture's halos: only for the test that shows a smaller halo would be wrong.
    var haloAdjustment = 0

    /// - Parameter decoder: `network`'s integer decoder; pass the model's (`CodecModel.decoder`), which is
    ///   built once, rather than building one per plane (nil builds one).
    public init(_ network: Autoencoder, decoder: FixedPointDecoder? = nil, bandCodeRows: Int? = nil) {
        precondition(bandCodeRows.map { $0 >= 1 } ?? true, "a band has at least one code row")
        self.network = network
        self.decoder = decoder ?? FixedPointDecoder(network)
        self.bandCodeRows = bandCodeRows
    }

    /// Code rows per band for a plane `codeWidth` code values wide: about 16,384 code values (a quarter of
    /// a megapixel of input: 2 × 64 MB of activations at 64 channels), at least 16 rows, so that the halos
    /// (5 code rows on each side for the notes' network) add at most about 60% to the work.
    public static func defaultBandCodeRows(codeWidth: Int) -> Int { max(16, 16_384 / max(1, codeWidth)) }

    // MARK: Planes of any size

    /// The code of a `width × height` plane (row-major, values in 0…1), edge-padded to multiples of 4:
    /// [⌈height/4⌉ × ⌈width/4⌉ × codeChannels].
    public func encode(plane: [Float], width: Int, height: Int, jobs: Int, progress: Progress? = nil) -> [Float] {
        let (padded, paddedWidth, paddedHeight) = Self.edgePadded(plane, width: width, height: height)
        return padded.withUnsafeBufferPointer {
            encode($0.baseAddress!, width: paddedWidth, height: paddedHeight, jobs: jobs, progress: progress)
        }
    }

    /// Hears the fraction of the bands done (0…1], after each band, from the thread that did it (one call at
    /// a time, in increasing order).
    public typealias Progress = @Sendable (Double) -> Void

    /// The `width × height` plane that a code of ⌈height/4⌉ × ⌈width/4⌉ × codeChannels decodes to (the
    /// padding that `encode(plane:…)` added is cropped away).
    public func decode(code: [Float], width: Int, height: Int, jobs: Int, progress: Progress? = nil) -> [Float] {
        let scale = Architecture.codeScale
        let codeWidth = (width + scale - 1) / scale, codeHeight = (height + scale - 1) / scale
        precondition(code.count == codeWidth * codeHeight * network.architecture.codeChannels, "code of the wrong size")
        let full = code.withUnsafeBufferPointer {
            decode($0.baseAddress!, codeWidth: codeWidth, codeHeight: codeHeight, jobs: jobs, progress: progress)
        }
        if codeWidth * scale == width && codeHeight * scale == height { return full }
        var plane = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width { plane[y * width + x] = full[y * codeWidth * scale + x] }
        }
        return plane
    }

    /// `plane` with its last column and row repeated up to multiples of 4, and its new size.
    static func edgePadded(_ plane: [Float], width: Int, height: Int) -> ([Float], Int, Int) {
        precondition(width >= 1 && height >= 1 && plane.count == width * height, "a \(width)×\(height) plane")
        let scale = Architecture.codeScale
        let w = (width + scale - 1) / scale * scale, h = (height + scale - 1) / scale * scale
        if w == width && h == height { return (plane, w, h) }
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            let from = min(y, height - 1) * width
            for x in 0..<w { out[y * w + x] = plane[from + min(x, width - 1)] }
        }
        return (out, w, h)
    }

    // MARK: Planes whose sides are multiples of 4

    /// The code of a plane [height × width], both multiples of 4: [height/4 × width/4 × codeChannels].
    public func encode(_ plane: UnsafePointer<Float>, width: Int, height: Int, jobs: Int, progress: Progress? = nil) -> [Float] {
        let scale = Architecture.codeScale, channels = network.architecture.codeChannels
        precondition(width % scale == 0 && height % scale == 0 && width > 0 && height > 0, "sides must be multiples of 4")
        let codeWidth = width / scale, codeHeight = height / scale
        let halo = network.architecture.encoderHaloCodeRows + haloAdjustment
        var code = [Float](repeating: 0, count: codeHeight * codeWidth * channels)
        forEachBand(codeHeight: codeHeight, codeWidth: codeWidth, halo: halo, jobs: jobs, progress: progress, into: &code) { rows, band, out in
            // Input rows 4·band.lowerBound ..< 4·band.upperBound, halo included.
            let pass = ForwardPass(architecture: network.architecture, capacity: 1, height: band.count * scale, width: width,
                                   inferenceOnly: true)
            pass.input.update(from: plane + band.lowerBound * scale * width, count: band.count * scale * width)
            network.encode(pass, n: 1)
            // The band's own code rows, without the halo: [rows.count × codeWidth × channels].
            let rowSize = codeWidth * channels
            (out + rows.lowerBound * rowSize).update(from: pass.code + (rows.lowerBound - band.lowerBound) * rowSize,
                                                     count: rows.count * rowSize)
        }
        return code
    }

    /// The plane [4·codeHeight × 4·codeWidth] that a code [codeHeight × codeWidth × codeChannels] decodes to.
    public func decode(_ code: UnsafePointer<Float>, codeWidth: Int, codeHeight: Int, jobs: Int,
                       progress: Progress? = nil) -> [Float] {
        let scale = Architecture.codeScale, channels = network.architecture.codeChannels
        precondition(codeWidth > 0 && codeHeight > 0, "an empty code")
        let width = codeWidth * scale
        let halo = network.architecture.decoderHaloCodeRows + haloAdjustment
        var plane = [Float](repeating: 0, count: codeHeight * scale * width)
        forEachBand(codeHeight: codeHeight, codeWidth: codeWidth, halo: halo, jobs: jobs, progress: progress, into: &plane) { rows, band, out in
            let rowSize = codeWidth * channels, outRow = scale * width
            // The band's output, halo included: [band.count·4 × width].
            let decoded = UnsafeMutablePointer<Float>.allocate(capacity: band.count * outRow)
            defer { decoded.deallocate() }
            decoder.decode(code + band.lowerBound * rowSize, n: 1, codeHeight: band.count, codeWidth: codeWidth, into: decoded)
            // The band's own output rows.
            (out + rows.lowerBound * outRow).update(from: decoded + (rows.lowerBound - band.lowerBound) * outRow,
                                                    count: rows.count * outRow)
        }
        return plane
    }

    /// Cuts `codeHeight` code rows into bands, widens each by `halo` rows on both sides (clamped), and runs
    /// `body(rows, bandWithHalo, out)` for each on up to `jobs` threads; `body` writes its band's own rows
    /// into `out` (each band writes only its own).
    private func forEachBand(codeHeight: Int, codeWidth: Int, halo: Int, jobs: Int, progress: Progress?,
                             into out: inout [Float],
                             _ body: (Range<Int>, Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
        let rowsPerBand = bandCodeRows ?? Self.defaultBandCodeRows(codeWidth: codeWidth)
        let bands = (codeHeight + rowsPerBand - 1) / rowsPerBand
        let lock = Lock()
        var done = 0
        out.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(bands, threads: max(1, min(jobs, bands))) { _, b in
                let rows = b * rowsPerBand ..< min(codeHeight, (b + 1) * rowsPerBand)
                let band = max(0, rows.lowerBound - max(0, halo)) ..< min(codeHeight, rows.upperBound + max(0, halo))
                body(rows, band, out.baseAddress!)
                if let progress {
                    // Under the lock, so that the fractions arrive one at a time and in order.
                    lock.withLock { done += 1; progress(Double(done) / Double(bands)) }
                }
            }
        }
    }
}
