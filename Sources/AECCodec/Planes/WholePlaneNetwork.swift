import AECBase
import AECNet

/// The network run over a whole plane instead of 28×28 tiles: the notes' network is fully convolutional,
/// so it can code an H×W plane (edge-padded to multiples of 4) into one ⌈H/4⌉×⌈W/4⌉×C code, with no tile
/// seams, the convolutions seeing across what used to be tile borders.
///
/// Memory stays bounded for any plane, however wide or tall: the plane is processed in blocks of code rows
/// and columns, each with a halo on every side deep enough (`Architecture.encoderHaloCodeRows`,
/// `decoderHaloCodeRows`; the same in both directions) that the block's own values come out exactly as from
/// the whole plane — bit for bit, since every output value of every layer is the same sum in the same order
/// wherever it is computed. So the result does not depend on the block size, and blocks can run on several
/// threads.
public struct WholePlaneNetwork: Sendable {
    public let network: Autoencoder
    /// What `decode` runs: the network's decoder in integers (`FixedPointDecoder`), the same on every CPU.
    public let decoder: FixedPointDecoder
    /// What `encode` runs when given: the encoder in integers (`FixedPointEncoder`); else the float encoder.
    public let encoder: FixedPointEncoder?
    /// Code rows and code columns per block (each ≥ 1); `nil` takes `defaultBlockCodeSide`.
    public var blockCodeRows: Int?, blockCodeColumns: Int?
    /// Added to the architecture's halos: only for the test that shows a smaller halo would be wrong.
    var haloAdjustment = 0

    /// - Parameters:
    ///   - decoder: `network`'s integer decoder; pass the model's (`CodecModel.decoder`), which is built once,
    ///     rather than building one per plane (nil builds one).
    ///   - encoder: `network`'s integer encoder (`CodecModel.encoder`), or nil for the float encoder.
    public init(_ network: Autoencoder, decoder: FixedPointDecoder? = nil, encoder: FixedPointEncoder? = nil,
                blockCodeRows: Int? = nil, blockCodeColumns: Int? = nil) {
        precondition(blockCodeRows.map { $0 >= 1 } ?? true, "a block has at least one code row")
        precondition(blockCodeColumns.map { $0 >= 1 } ?? true, "a block has at least one code column")
        self.network = network
        self.decoder = decoder ?? FixedPointDecoder(network)
        self.encoder = encoder
        self.blockCodeRows = blockCodeRows
        self.blockCodeColumns = blockCodeColumns
    }

    /// Code values on each side of a block, halo not included: 96 (384 pixels). With the notes' network's
    /// halo of 5 code values on each side, a block inside the plane computes (106/96)² ≈ 1.22 times its own
    /// area; its largest layer holds 424² pixels × 64 channels (46 MB of floats encoding, 23 MB of int16
    /// decoding).
    public static let defaultBlockCodeSide = 96

    // MARK: Planes of any size

    /// The code of a `width × height` plane (row-major, values in 0…1), edge-padded to multiples of 4:
    /// [⌈height/4⌉ × ⌈width/4⌉ × codeChannels].
    public func encode(plane: [Float], width: Int, height: Int, jobs: Int, progress: Progress? = nil) -> [Float] {
        let (padded, paddedWidth, paddedHeight) = Self.edgePadded(plane, width: width, height: height)
        return padded.withUnsafeBufferPointer {
            encode($0.baseAddress!, width: paddedWidth, height: paddedHeight, jobs: jobs, progress: progress)
        }
    }

    /// Hears the fraction of the blocks done (0…1], after each block, from the thread that did it (one call
    /// at a time, in increasing order).
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
        forEachBlock(codeHeight: codeHeight, codeWidth: codeWidth, halo: halo, jobs: jobs, progress: progress,
                     into: &code) { own, block, out in
            // The block's input, halo included: pixel rows 4·block.rows, columns 4·block.columns.
            let inWidth = block.columns.count * scale, inHeight = block.rows.count * scale
            let input = UnsafeMutablePointer<Float>.allocate(capacity: inHeight * inWidth)
            defer { input.deallocate() }
            for y in 0..<inHeight {
                (input + y * inWidth).update(from: plane + (block.rows.lowerBound * scale + y) * width
                                             + block.columns.lowerBound * scale, count: inWidth)
            }
            // The block's code: [block rows × block columns × channels].
            let blockCode = UnsafeMutablePointer<Float>.allocate(capacity: block.rows.count * block.columns.count * channels)
            defer { blockCode.deallocate() }
            if let encoder {
                encoder.encode(input, n: 1, height: inHeight, width: inWidth, into: blockCode)
            } else {
                let pass = ForwardPass(architecture: network.architecture, capacity: 1, height: inHeight, width: inWidth,
                                       inferenceOnly: true)
                pass.input.update(from: input, count: inHeight * inWidth)
                network.encode(pass, n: 1)
                blockCode.update(from: pass.code, count: block.rows.count * block.columns.count * channels)
            }
            // The block's own code values, without the halo.
            for r in own.rows {
                let from = ((r - block.rows.lowerBound) * block.columns.count + own.columns.lowerBound - block.columns.lowerBound)
                (out + (r * codeWidth + own.columns.lowerBound) * channels).update(from: blockCode + from * channels,
                                                                                   count: own.columns.count * channels)
            }
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
        forEachBlock(codeHeight: codeHeight, codeWidth: codeWidth, halo: halo, jobs: jobs, progress: progress,
                     into: &plane) { own, block, out in
            // The block's code, halo included: [block rows × block columns × channels].
            let rowSize = block.columns.count * channels
            let blockCode = UnsafeMutablePointer<Float>.allocate(capacity: block.rows.count * rowSize)
            defer { blockCode.deallocate() }
            for (i, r) in block.rows.enumerated() {
                (blockCode + i * rowSize).update(from: code + (r * codeWidth + block.columns.lowerBound) * channels, count: rowSize)
            }
            // Its output: [4·block rows × 4·block columns].
            let outWidth = block.columns.count * scale
            let decoded = UnsafeMutablePointer<Float>.allocate(capacity: block.rows.count * scale * outWidth)
            defer { decoded.deallocate() }
            decoder.decode(blockCode, n: 1, codeHeight: block.rows.count, codeWidth: block.columns.count, into: decoded)
            // The block's own pixels.
            let x0 = (own.columns.lowerBound - block.columns.lowerBound) * scale
            for y in (own.rows.lowerBound * scale)..<(own.rows.upperBound * scale) {
                (out + y * width + own.columns.lowerBound * scale).update(
                    from: decoded + (y - block.rows.lowerBound * scale) * outWidth + x0, count: own.columns.count * scale)
            }
        }
        return plane
    }

    /// Code rows and columns of a block.
    struct Block { var rows: Range<Int>, columns: Range<Int> }

    /// Cuts the codeHeight × codeWidth code grid into blocks, widens each by `halo` on every side (clamped to
    /// the grid), and runs `body(own, withHalo, out)` for each on up to `jobs` threads; `body` writes its
    /// block's own values into `out` (each block writes only its own).
    private func forEachBlock(codeHeight: Int, codeWidth: Int, halo: Int, jobs: Int, progress: Progress?,
                              into out: inout [Float], _ body: (Block, Block, UnsafeMutablePointer<Float>) -> Void) {
        let side = (rows: blockCodeRows ?? Self.defaultBlockCodeSide, columns: blockCodeColumns ?? Self.defaultBlockCodeSide)
        let across = (codeWidth + side.columns - 1) / side.columns
        let blocks = (codeHeight + side.rows - 1) / side.rows * across
        let widen = { (range: Range<Int>, limit: Int) in
            max(0, range.lowerBound - max(0, halo)) ..< min(limit, range.upperBound + max(0, halo))
        }
        let lock = Lock()
        var done = 0
        out.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(blocks, threads: max(1, min(jobs, blocks))) { _, b in
                let (i, j) = b.quotientAndRemainder(dividingBy: across)
                let own = Block(rows: i * side.rows ..< min(codeHeight, (i + 1) * side.rows),
                                columns: j * side.columns ..< min(codeWidth, (j + 1) * side.columns))
                body(own, Block(rows: widen(own.rows, codeHeight), columns: widen(own.columns, codeWidth)), out.baseAddress!)
                if let progress {
                    // Under the lock, so that the fractions arrive one at a time and in order.
                    lock.withLock { done += 1; progress(Double(done) / Double(blocks)) }
                }
            }
        }
    }
}
