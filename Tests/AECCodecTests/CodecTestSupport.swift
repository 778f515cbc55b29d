import AECCodec
import AECImage
import AECNet

/// A tiny untrained model with entropy tables for 2…8 bits, fitted on random symbols: enough to exercise
/// every path of the codec quickly. (Quality is tested with the shipped model.)
enum TestModels {
    static let tiny: CodecModel = {
        let network = Autoencoder(architecture: Architecture(w1: 2, w2: 2, w3: 2), seed: 5)
        var rng = SplitMix64(seed: 9)
        let models = (2...8).map { bits -> EntropyModel in
            // Skewed random symbols: the sum of two uniforms, so that tables are not flat.
            let symbols = (0..<(200 * 49)).map { _ in UInt16((rng.next(below: 1 << bits) + rng.next(below: 1 << bits)) / 2) }
            // Both neighbour layouts, so that every codec path (and the fuzz test) meets each.
            let layout: EntropyModel.Layout = bits <= 4 ? .perPositionAndTwoNeighbours : .perPositionAndNeighbour
            return try! EntropyModel.fit(symbols: symbols, bits: bits, codeChannels: 1, layout: layout, contextBuckets: bits <= 4 ? 3 : 4)
        }
        let file = CodecModel.attaching(models, to: ModelFile(model: network))
        return try! CodecModel(bytes: file.serialized(), name: "tiny")
    }()

    /// A smooth test image: gradients and a disc, `channels` 1…4 (alpha varies when present).
    static func image(width: Int, height: Int, channels: Int) -> Image {
        var samples: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let disc = (x - width / 2) * (x - width / 2) + (y - height / 2) * (y - height / 2) < width * height / 8
                let v = UInt8(min(255, x * 255 / max(1, width - 1) / 2 + (disc ? 100 : 20)))
                let pixel: [UInt8] = [v, UInt8(y * 255 / max(1, height - 1)), UInt8((x + y) % 256), UInt8((x * 7 + y) % 256)]
                switch channels {
                case 1: samples.append(v)
                case 2: samples += [v, pixel[3]]
                case 3: samples += pixel[0..<3]
                default: samples += pixel
                }
            }
        }
        return Image(width: width, height: height, channels: channels, samples: samples)
    }
}
