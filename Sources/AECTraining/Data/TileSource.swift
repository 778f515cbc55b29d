/// A source of 28×28 grayscale training tiles with pixel values in [0, 1].
/// `tile(_:epoch:into:)` must be a pure function of (index, epoch) and safe to call from several threads.
public protocol TileSource: Sendable {
    /// Number of tiles in one epoch.
    var count: Int { get }
    /// Writes tile `index` (0..<count) for `epoch` into `out` (28*28 floats, row-major, value/255).
    func tile(_ index: Int, epoch: Int, into out: UnsafeMutableBufferPointer<Float>)
}

