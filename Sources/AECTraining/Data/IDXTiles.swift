import AECNet
/// Training tiles that are the images of an IDX file of 28×28 images (Fashion-MNIST), the same every epoch.
public struct IDXTiles: TileSource {
    public let images: IDXImages
    /// The number of images used: all of them, or the first `limit`.
    public let count: Int

    /// - Parameter limit: use only the first `limit` images (all when nil or larger than the set).
    /// - Throws: `DatasetError.wrongTileSize` when the images are not 28×28.
    public init(_ images: IDXImages, limit: Int? = nil) throws {
        guard images.rows == Architecture.tileSide, images.cols == Architecture.tileSide else {
            throw DatasetError.wrongTileSize(rows: images.rows, cols: images.cols)
        }
        self.images = images
        self.count = min(images.count, max(0, limit ?? images.count))
    }

    /// Writes image `index` as value/255; `epoch` is ignored.
    public func tile(_ index: Int, epoch: Int, into out: UnsafeMutableBufferPointer<Float>) {
        let size = Architecture.tileSide * Architecture.tileSide
        precondition(index >= 0 && index < count, "tile index \(index) outside 0..<\(count)")
        precondition(out.count >= size, "tile buffer holds \(out.count) floats, needs \(size)")
        images.pixels.withUnsafeBufferPointer { pixels in
            let base = index * size
            for i in 0..<size { out[i] = Float(pixels[base + i]) / 255 }
        }
    }
}
