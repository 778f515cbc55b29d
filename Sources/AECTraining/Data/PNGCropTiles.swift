import AECBase
import AECNet
import AECImage

/// Training tiles cut at random from a directory of PNG images: each tile is a `side`×`side` crop (28×28
/// by default) of one image, converted to gray.
///
/// Which image and where are a hash (SplitMix64) of (seed, epoch, index), so the same seed gives the same
/// crops, every epoch gives new ones, and any thread can make any tile. An image is chosen with probability
/// proportional to its number of whole 28×28 tiles (at least 1), so large images are sampled more.
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

    /// Gray images, edge-padded on the right and bottom to at least side×side.
    private let images: [Image]
    /// `weights[i]` is the sum of the crop counts of images 0...i.
    private let cumulativeWeights: [Int]

    /// Loads every `.png` (any case) under `directory`, recursively.
    /// - Parameters:
    ///   - seed: chooses the crops.
    ///   - side: the crops' width and height (a multiple of 4; 28 by default).
    ///   - cropsPerEpoch: tiles per epoch; by default the sum over the images of max(1, (w/side)·(h/side)).
    ///   - maxPixels: the largest image accepted, in pixels.
    /// A PNG that does not decode is left out and listed in `skipped`.
    /// - Throws: `DatasetError` — `.notFound`/`.unreadable` for the directory, `.noImages` when it holds no PNG
    ///   that decodes, `.badImage` when its only PNG does not; `ImageIOError` (`.fileSystem`) for an
    ///   unreadable file.
    public init(directory: String, seed: UInt64 = 0, side: Int = Architecture.tileSide, cropsPerEpoch: Int? = nil,
                maxPixels: Int = Image.defaultMaxPixels) throws {
        precondition(side >= 4 && side % 4 == 0, "crop side \(side) is not a positive multiple of 4")
        let paths = try pngFiles(under: directory)
        guard !paths.isEmpty else { throw DatasetError.noImages(directory: directory) }
        var images: [Image] = []
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
            total += max(1, (image.width / side) * (image.height / side))
            cumulative.append(total)
            images.append(Self.padded(image.toGray(), side: side))
        }
        if images.isEmpty {
            if skipped.count == 1 { throw DatasetError.badImage(path: skipped[0].path, reason: skipped[0].reason) }
            throw DatasetError.noImages(directory: directory)
        }
        self.paths = paths.filter { path in !skipped.contains { $0.path == path } }
        self.skipped = skipped
        self.images = images
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

        let image = images[imageIndex(weight: random.next(below: cumulativeWeights[cumulativeWeights.count - 1]))]
        let x0 = random.next(below: image.width - side + 1)
        let y0 = random.next(below: image.height - side + 1)
        image.samples.withUnsafeBufferPointer { samples in
            for y in 0..<side {
                let row = (y0 + y) * image.width + x0
                for x in 0..<side { out[y * side + x] = Float(samples[row + x]) / 255 }
            }
        }
    }

    /// The image whose cumulative weight range holds `weight` (binary search).
    private func imageIndex(weight: Int) -> Int {
        var low = 0, high = cumulativeWeights.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulativeWeights[middle] > weight { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// `gray` extended to at least side×side by repeating its last column and last row.
    static func padded(_ gray: Image, side: Int = Architecture.tileSide) -> Image {
        if gray.width >= side && gray.height >= side { return gray }
        let width = max(gray.width, side), height = max(gray.height, side)
        var samples = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            let sourceRow = min(y, gray.height - 1) * gray.width
            for x in 0..<width { samples[y * width + x] = gray.samples[sourceRow + min(x, gray.width - 1)] }
        }
        return Image(width: width, height: height, channels: 1, samples: samples)
    }
}
