import AECNet

/// A source of square grayscale training tiles with pixel values in [0, 1]: 28×28 (the notes' tiles) unless
/// the source says otherwise (`side`, a multiple of 4, as for larger crops of photographs).
/// `tile(_:epoch:into:)` must be a pure function of (index, epoch) and safe to call from several threads.
public protocol TileSource: Sendable {
    /// Number of tiles in one epoch.
    var count: Int { get }
    /// The tiles' width and height in pixels.
    var side: Int { get }
    /// Writes tile `index` (0..<count) for `epoch` into `out` (side·side floats, row-major, value/255).
    func tile(_ index: Int, epoch: Int, into out: UnsafeMutableBufferPointer<Float>)
}

extension TileSource {
    public var side: Int { Architecture.tileSide }
}

