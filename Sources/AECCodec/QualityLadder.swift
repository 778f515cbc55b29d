/// `aec-encode -q Q`: a short ladder of settings (rungs), each a shipped model and a bit depth, ordered so
/// that every step up gives a higher PSNR for more bytes on the model's training-like images. Q is 0…100
/// as for cwebp and cjpeg, cut into equal parts, one per rung (`rung(forQuality:)`).
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

    /// The photograph model's level on each rung (same order as `levels`): with no `--model`, `aec-encode`
    /// codes each image with whichever of the rung's two levels suits it (`candidates(ofRung:)`, `CodecChoice`).
    /// Rungs 2–6 use the bits of the default model's rungs; 3 bits is too coarse for the photo model
    /// (under 14 dB on the validation photographs), so rung 1 repeats 4 bits, and above 8 bits there is
    /// nothing: its plateau (Docs/MODELS.md), so rungs 7 and 8 repeat 8 bits.
    public static let photoLevels: [Level] = [
        Level(model: photoModelName, bits: 4),
        Level(model: photoModelName, bits: 4),
        Level(model: photoModelName, bits: 5),
        Level(model: photoModelName, bits: 6),
        Level(model: photoModelName, bits: 7),
        Level(model: photoModelName, bits: 8),
        Level(model: photoModelName, bits: 8),
        Level(model: photoModelName, bits: 8),
    ]

    /// The shipped model trained on photographs.
    public static let photoModelName = "photo"

    /// The levels `aec-encode` chooses among on rung `rung` (1…`levels.count`): the Fashion-MNIST model's
    /// first, then the photograph model's. Empty outside the range.
    public static func candidates(ofRung rung: Int) -> [Level] {
        guard range.contains(rung) else { return [] }
        return [levels[rung - 1], photoLevels[rung - 1]]
    }

    /// `candidates(ofRung:)` without the levels whose model this build does not ship — except the first,
    /// whose absence the caller reports.
    public static func shippedCandidates(ofRung rung: Int) -> [Level] {
        candidates(ofRung: rung).enumerated()
            .filter { $0.offset == 0 || ShippedModels.names.contains($0.element.model) }.map(\.element)
    }

    /// The valid rungs, 1…`levels.count`.
    public static var range: ClosedRange<Int> { 1...levels.count }

    /// The qualities `-q` takes.
    public static let qualityRange = 0...100

    /// The rung of the default setting (the default model at `Codec.defaultBits`), what no `-q` gives.
    public static var defaultRung: Int {
        1 + levels.firstIndex(of: Level(model: ShippedModels.defaultName, bits: Codec.defaultBits))!
    }

    /// The rung for quality `quality` (0…100): the range cut into `levels.count` nearly equal parts,
    /// rung 1 for the lowest. nil outside 0…100.
    public static func rung(forQuality quality: Int) -> Int? {
        guard qualityRange.contains(quality) else { return nil }
        return min(levels.count, 1 + quality * levels.count / (qualityRange.upperBound + 1))
    }

    /// The qualities that give rung `rung`.
    public static func qualities(ofRung rung: Int) -> ClosedRange<Int> {
        let all = qualityRange.filter { self.rung(forQuality: $0) == rung }
        return all.first! ... all.last!
    }

    /// Rung `rung` (1…`levels.count`), or nil outside that range.
    public static func level(_ rung: Int) -> Level? {
        range.contains(rung) ? levels[rung - 1] : nil
    }
}
