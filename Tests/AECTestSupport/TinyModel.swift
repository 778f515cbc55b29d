import AECBase
import AECCodec
import AECNet
import Foundation

/// The tiny untrained model every test target uses: widths 2/2/2, a 7×7×1 code, and entropy tables for
/// every bit depth of `Limits.bits` fitted on skewed random symbols. Enough to run every path of the codec
/// and the tools quickly; quality is tested with the shipped models.
public enum TinyModel {
    /// The model file. `seed` seeds the network's weights (models of different seeds have different
    /// fingerprints); the tables come from a generator seeded with `seed + 4`.
    public static func file(seed: UInt64 = 5) -> ModelFile {
        let network = Autoencoder(architecture: Architecture(w1: 2, w2: 2, w3: 2), seed: seed)
        var rng = SplitMix64(seed: seed &+ 4)
        let models = Limits.bits.map { bits -> EntropyModel in
            // Skewed random symbols: the sum of two uniforms, so that tables are not flat.
            let symbols = (0..<(200 * 49)).map { _ in UInt16((rng.next(below: 1 << bits) + rng.next(below: 1 << bits)) / 2) }
            // Both neighbour layouts, so that every codec path (and the fuzz test) meets each.
            let layout: EntropyModel.Layout = bits <= 4 ? .perPositionAndTwoNeighbours : .perPositionAndNeighbour
            return try! EntropyModel.fit(symbols: symbols, bits: bits, codeChannels: 1, layout: layout, contextBuckets: bits <= 4 ? 3 : 4)
        }
        return CodecModel.attaching(models, to: ModelFile(model: network))
    }

    /// The model of seed 5, loaded as the codec loads a model file.
    public static let codecModel: CodecModel = try! CodecModel(bytes: file().serialized(), name: "tiny")

    /// The model of `seed` written to a temporary file, once per test process (for the tools).
    public static func path(seed: UInt64) throws -> String {
        try lock.withLock {
            if let path = written[seed] { return path }
            let folder = Paths.join(NSTemporaryDirectory(), "aec-tiny-models-\(getpid())")
            try FileSystem.makeFolders(folder)
            let path = Paths.join(folder, "tiny-\(seed).aecm")
            try file(seed: seed).write(to: path)
            written[seed] = path
            return path
        }
    }

    private static let lock = Lock()
    nonisolated(unsafe) private static var written: [UInt64: String] = [:]
}
