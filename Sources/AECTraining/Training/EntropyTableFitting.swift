import AECCodec
import AECNet

/// The last step of training a codec model: its entropy tables, one per bit depth, fitted on the codes the
/// trained encoder gives the training tiles (`EntropyFitting` chooses each depth's layout by measurement),
/// attached to the model in memory.
public enum EntropyTableFitting {
    /// The model file with its tables, and what each depth measured.
    public struct Result {
        public var file: ModelFile
        public var reports: [EntropyFitting.Report]
    }

    /// Fits tables for each of `bits` on the codes of the first `trainingLimit` training tiles (all when
    /// nil), scoring the layouts on the first `scoringLimit` tiles of `scoring`, on `threads` threads.
    public static func fit(_ model: Autoencoder, training: any TileSource, trainingLimit: Int? = nil,
                           scoring: any TileSource, scoringLimit: Int? = nil, bits: [Int], threads: Int) throws -> Result {
        let network = TileNetwork(model)
        func codes(_ source: any TileSource, limit: Int?) -> [Float] {
            let n = min(limit ?? source.count, source.count), side = Architecture.tileSide * Architecture.tileSide
            // [n × 28·28] tiles, row-major, one after another.
            var tiles = [Float](repeating: 0, count: n * side)
            tiles.withUnsafeMutableBufferPointer { t in
                for i in 0..<n {
                    source.tile(i, epoch: 0, into: UnsafeMutableBufferPointer(rebasing: t[(i * side)..<((i + 1) * side)]))
                }
            }
            return network.encode(tiles: tiles, jobs: threads)
        }
        let fitted = try EntropyFitting.fit(trainingCodes: codes(training, limit: trainingLimit),
                                            testCodes: codes(scoring, limit: scoringLimit),
                                            codeChannels: model.architecture.codeChannels, bits: bits)
        return Result(file: CodecModel.attaching(fitted.map(\.model), to: ModelFile(model: model)),
                      reports: fitted.map(\.report))
    }
}
