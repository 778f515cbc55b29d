import AECBase
import AECCodec
import AECNet
import AECImage

/// Training tiles cut at random from a directory of PNG images: each tile is a `side`×`side` crop (28×28
/// by default) of one image, converted to gray — or, with `chroma`, of one plane the codec codes: the gray
/// of every image, and the Cb and Cr planes at half resolution (as 4:2:0 codes them) of colour ones.
///
/// Which image and where are a hash (SplitMix64) of (seed, epoch, index), so the same seed gives the same
/// crops, every epoch gives new ones, and any thread can make any tile. An image is chosen with probability
/// proportional to its number of whole side×side crops (at least 1), so large images are sampled more; a
/// chroma plane, a quarter of the image, gets a quarter of its image's share.
public struct PNGCropTiles: TileSource {
    /// The images used, sorted.
    public let paths: [String]
    /// PNGs that did not decode (damaged, too large), with why: left out, not fatal.
    public let skipped: [(path: String, reason: String)]
    /// The number of crops in one epoch.
    public let count: Int
    public let seed: UInt64
    /// The crops' width and height.
    public let side: Int

    /// The planes crops are cut from (values / 255), edge-padded on the right and bottom to at least
    /// side×side: each image's gray, then with `chroma` its half-resolution Cb and Cr.
    private let planes: [Plane]
    /// `weights[i]` is the sum of the crop counts of images 0...i.
    private let cumulativeWeights: [Int]

    /// Loads every `.png` (any case) under `directory`, recursively.
    /// - Parameters:
    ///   - seed: chooses the crops.
    ///   - side: the crops' width and height (a multiple of 4; 28 by default).
    ///   - chroma: also crop the Cb and Cr planes of colour images, at half resolution.
    ///   - cropsPerEpoch: tiles per epoch; by default the sum over the images of max(1, (w/side)·(h/side)).
    ///   - maxPixels: the largest image accepted, in pixels.
    /// A PNG that does not decode is left out and listed in `skipped`.
    /// - Throws: `DatasetError` — `.notFound`/`.unreadable` for the directory, `.noImages` when it holds no PNG
    ///   that decodes, `.badImage` when its only PNG does not; `ImageIOError` (`.fileSystem`) for an
    ///   unreadable file.
    public init(directory: String, seed: UInt64 = 0, side: Int = Architecture.tileSide, chroma: Bool = false,
                cropsPerEpoch: Int? = nil, maxPixels: Int = Image.defaultMaxPixels) throws {
        precondition(side >= 4 && side % 4 == 0, "crop side \(side) is not a positive multiple of 4")
        let paths = try pngFiles(under: directory)
        guard !paths.isEmpty else { throw DatasetError.noImages(directory: directory) }
        var planes: [Plane] = []
        var cumulative: [Int] = []
        var skipped: [(path: String, reason: String)] = []
        var total = 0
        for path in paths {
            let image: Image
            do {
                image = try PNG.read(contentsOf: path, maxPixels: maxPixels)
            } catch let error as ImageIOError where error.kind != .fileSystem {
                skipped.append((path, error.description))
                continue
            }
            var imagePlanes = [Self.padded(Self.plane(of: image.toGray()), side: side)]
            if chroma && image.channels >= 3 {
                let (_, cb, cr) = ColorTransform.ycbcrPlanes(of: image)
                imagePlanes += [Self.padded(cb.halved(), side: side), Self.padded(cr.halved(), side: side)]
            }
            for plane in imagePlanes {
                total += max(1, (plane.width / side) * (plane.height / side))
                cumulative.append(total)
                planes.append(plane)
            }
        }
        if planes.isEmpty {
            if skipped.count == 1 { throw DatasetError.badImage(path: skipped[0].path, reason: skipped[0].reason) }
            throw DatasetError.noImages(directory: directory)
        }
        self.paths = paths.filter { path in !skipped.contains { $0.path == path } }
        self.skipped = skipped
        self.planes = planes
        self.cumulativeWeights = cumulative
        self.count = max(0, cropsPerEpoch ?? total)
        self.seed = seed
        self.side = side
    }

    /// Writes crop `index` of `epoch` as value/255.
    public func tile(_ index: Int, epoch: Int, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(index >= 0 && index < count, "tile index \(index) outside 0..<\(count)")
        precondition(out.count >= side * side, "tile buffer holds \(out.count) floats, needs \(side * side)")
        var random = SplitMix64(seed: seed, stream: UInt64(bitPattern: Int64(epoch)), UInt64(bitPattern: Int64(index)))

        let plane = planes[planeIndex(weight: random.next(below: cumulativeWeights[cumulativeWeights.count - 1]))]
        let x0 = random.next(below: plane.width - side + 1)
        let y0 = random.next(below: plane.height - side + 1)
        plane.values.withUnsafeBufferPointer { values in
            for y in 0..<side {
                let row = (y0 + y) * plane.width + x0
                for x in 0..<side { out[y * side + x] = values[row + x] }
            }
        }
    }

    /// The plane whose cumulative weight range holds `weight` (binary search).
    private func planeIndex(weight: Int) -> Int {
        var low = 0, high = cumulativeWeights.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulativeWeights[middle] > weight { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// A gray image's samples / 255.
    static func plane(of gray: Image) -> Plane {
        Plane(width: gray.width, height: gray.height, values: gray.samples.map { Float($0) / 255 })
    }

    /// `plane` extended to at least side×side by repeating its last column and last row.
    static func padded(_ plane: Plane, side: Int) -> Plane {
        if plane.width >= side && plane.height >= side { return plane }
        var out = Plane(width: max(plane.width, side), height: max(plane.height, side))
        for y in 0..<out.height {
            for x in 0..<out.width { out.values[y * out.width + x] = plane[min(x, plane.width - 1), min(y, plane.height - 1)] }
        }
        return out
    }
}
