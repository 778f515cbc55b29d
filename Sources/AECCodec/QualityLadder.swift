/// `aec-encode --quality N`: a short ladder of settings, each a shipped model and a bit depth, ordered so
/// that every step up gives a higher PSNR for more bytes on the model's training-like images.
///
/// The levels and what each measured on the Fashion-MNIST test set are listed in Docs/MODELS.md
/// (`aec-bench --fashion-mnist test`); a test checks on test images that the ladder really rises.
public enum QualityLadder {
    /// One rung: the shipped model `model` (its file name without `.aecm`) at `bits` bits per code value.
    public struct Level: Sendable, Equatable {
        public let model: String
        public let bits: Int
        public init(model: String, bits: Int) {
            self.model = model
            self.bits = bits
        }
    }

    /// The rungs, quality 1 first.
    public static let levels: [Level] = [
        Level(model: "default", bits: 3),
        Level(model: "default", bits: 4),
        Level(model: "default", bits: 5),
        Level(model: "default", bits: 6),
        Level(model: "default", bits: 7),
        Level(model: "default", bits: 8),
        Level(model: "high", bits: 3),
        Level(model: "high", bits: 4),
    ]

    /// The valid qualities, 1…`levels.count`.
    public static var range: ClosedRange<Int> { 1...levels.count }

    /// The quality of the default setting (the default model at `Codec.defaultBits`).
    public static var defaultQuality: Int {
        1 + levels.firstIndex(of: Level(model: ShippedModels.defaultName, bits: Codec.defaultBits))!
    }

    /// The rung for quality `quality` (1…`levels.count`), or nil outside that range.
    public static func level(_ quality: Int) -> Level? {
        range.contains(quality) ? levels[quality - 1] : nil
    }
}
