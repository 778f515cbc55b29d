import AECImage

/// Codes each image with whichever of several candidates (a model and a bit depth each) suits it best:
/// how `aec-encode` picks between the Fashion-MNIST models and the photograph model when no `--model` is
/// given. The chosen model's fingerprint is in the file, so decoding needs nothing more.
///
/// The rule: code a trial image with every candidate, decode it, and keep the candidate with the smallest
/// **(mean squared error + 1) × bytes**. Equal products are points on a line of slope 10·log10(2) ≈ 3 dB per
/// doubling of bytes, about the slope of image codecs' rate–distortion curves at the rates aec works at,
/// so a candidate wins when it buys more than 3 dB with twice the bytes, or saves more than half the bytes
/// for 3 dB less. The + 1 (in 8-bit sample units², 48 dB) keeps a nearly exact result from winning on
/// its distortion alone. Ties go to the earlier candidate.
///
/// The trial image is the image itself when it has at most `trialSide`² pixels (every candidate's file is
/// made anyway, and the chosen one is returned as it is); for a larger image, its central `trialSide` ×
/// `trialSide` region, and the image is then coded with the chosen candidate. The choice is a pure
/// function of the image and the candidates: the same for any number of jobs.
public struct CodecChoice: Sendable {
    public struct Candidate: Sendable {
        public let codec: Codec
        public let bits: Int
        /// What `-v` and the benchmark call it (e.g. the shipped model's name).
        public let name: String
        public init(codec: Codec, bits: Int, name: String) {
            self.codec = codec; self.bits = bits; self.name = name
        }
    }

    public let candidates: [Candidate]

    /// Side of the trial region of large images: eight 28×28 tiles, as `Codec`'s whole-or-tiles sample.
    public static let trialSide = 224

    public init(candidates: [Candidate]) {
        precondition(!candidates.isEmpty, "CodecChoice needs at least one candidate")
        self.candidates = candidates
    }

    /// The file, and which candidate made it (an index into `candidates`).
    public struct Encoded: Sendable {
        public var encoded: Codec.Encoded
        public var chosen: Int
    }

    /// Codes `image` with the best candidate. `options` gives everything but the bits (each candidate's).
    public func encode(_ image: Image, options: EncodeOptions = EncodeOptions()) throws -> Encoded {
        func withBits(_ candidate: Candidate, _ base: EncodeOptions) -> EncodeOptions {
            var o = base
            o.bits = candidate.bits
            return o
        }
        if candidates.count == 1 {
            return Encoded(encoded: try candidates[0].codec.encode(image, options: withBits(candidates[0], options)), chosen: 0)
        }
        guard image.width > 0, image.height > 0 else { throw CodecError.emptyImage }
        try Limits.checkSize(width: image.width, height: image.height, maxPixels: options.maxPixels)

        let exact = image.width * image.height <= Self.trialSide * Self.trialSide
        let trial = exact ? image : Self.centralRegion(of: image, side: Self.trialSide)
        var trialOptions = options
        trialOptions.progress = nil
        trialOptions.metadata = ImageMetadata()  // the same bytes for every candidate: not part of the choice
        var best: (index: Int, cost: Double, encoded: Codec.Encoded)?
        for (index, candidate) in candidates.enumerated() {
            let encoded = try candidate.codec.encode(trial, options: withBits(candidate, trialOptions))
            let decoded = try candidate.codec.decode(encoded.bytes, jobs: options.jobs, maxPixels: Int.max)
            let cost = Self.cost(mse: Quality.colourMSE(trial, decoded), bytes: encoded.bytes.count)
            if best == nil || cost < best!.cost { best = (index, cost, encoded) }
        }
        let chosen = candidates[best!.index]
        if exact && options.metadata.isEmpty {
            options.progress?(1)  // the trial was the whole image: done
            return Encoded(encoded: best!.encoded, chosen: best!.index)
        }
        return Encoded(encoded: try chosen.codec.encode(image, options: withBits(chosen, options)), chosen: best!.index)
    }

    /// What `aec-encode -q` codes with on rung `rung`: the rung's levels whose models this build ships
    /// (`QualityLadder.shippedCandidates`), each named by its model.
    /// - Throws: the `ShippedModels` errors when a rung's first model does not load.
    public static func shipped(rung: Int) throws -> CodecChoice {
        let candidates = try QualityLadder.shippedCandidates(ofRung: rung).map { level in
            Candidate(codec: Codec(model: try ShippedModels.named(level.model)), bits: level.bits, name: level.model)
        }
        return CodecChoice(candidates: candidates)
    }

    /// (MSE + 1) × bytes: smaller is better.
    static func cost(mse: Double, bytes: Int) -> Double { (mse + 1) * Double(bytes) }

    /// The central `side` × `side` region of `image` (all of a shorter dimension), at even coordinates so
    /// that half-resolution chroma sees the same 2×2 blocks as in the whole image.
    static func centralRegion(of image: Image, side: Int) -> Image {
        let w = min(side, image.width), h = min(side, image.height)
        let x0 = (image.width - w) / 2 & ~1, y0 = (image.height - h) / 2 & ~1
        let c = image.channels
        var samples = [UInt8](repeating: 0, count: w * h * c)
        for y in 0..<h {
            let from = ((y0 + y) * image.width + x0) * c
            samples.replaceSubrange(y * w * c ..< (y + 1) * w * c, with: image.samples[from ..< from + w * c])
        }
        return Image(width: w, height: h, channels: c, samples: samples)
    }
}
