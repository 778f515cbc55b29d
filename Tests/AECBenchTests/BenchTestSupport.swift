import AECBench
import AECCodec
import AECImage
import AECNet
import Foundation
import XCTest

/// Fixtures shared by the bench tests.
enum Fixtures {
    /// A tiny untrained model (2/2/2) with entropy tables for 2…8 bits fitted on random symbols, built the
    /// same way as the codec tests' model: enough to run every aec path quickly.
    static let tinyModel: CodecModel = {
        let network = Autoencoder(architecture: Architecture(w1: 2, w2: 2, w3: 2), seed: 5)
        var rng = SplitMix64(seed: 9)
        let models = (2...8).map { bits -> EntropyModel in
            let symbols = (0..<(200 * 49)).map { _ in UInt16((rng.next(below: 1 << bits) + rng.next(below: 1 << bits)) / 2) }
            return try! EntropyModel.fit(symbols: symbols, bits: bits, codeChannels: 1, layout: .perPositionAndNeighbour,
                                         contextBuckets: 4)
        }
        let file = CodecModel.attaching(models, to: ModelFile(model: network))
        return try! CodecModel(bytes: file.serialized(), name: "tiny")
    }()

    /// Uniform random samples.
    static func randomImage(width: Int, height: Int, channels: Int, seed: UInt64) -> Image {
        var rng = SplitMix64(seed: seed)
        return Image(width: width, height: height, channels: channels,
                     samples: (0..<(width * height * channels)).map { _ in UInt8(rng.next(below: 256)) })
    }

    /// A smooth image (gradients and a disc), easy for every codec.
    static func smoothImage(width: Int, height: Int, channels: Int) -> Image {
        var samples: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let disc = (x - width / 2) * (x - width / 2) + (y - height / 2) * (y - height / 2) < width * height / 8
                let v = UInt8(min(255, x * 255 / max(1, width - 1) / 2 + (disc ? 100 : 20)))
                let pixel: [UInt8] = [v, UInt8(y * 255 / max(1, height - 1)), UInt8((x + y) % 256), 200]
                samples += pixel[0..<channels]
            }
        }
        return Image(width: width, height: height, channels: channels, samples: samples)
    }

    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "aec-bench-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
