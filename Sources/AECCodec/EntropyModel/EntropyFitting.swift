import AECNet

/// Chooses and fits the entropy model of each bit depth by measurement: every candidate layout is fitted
/// on the training set's codes and scored by the ideal code length it gives the test set's codes.
public enum EntropyFitting {
    public struct Candidate: Sendable {
        public var layout: EntropyModel.Layout
        public var contextBuckets: Int
        /// Mean ideal payload per tile on the test codes, in bytes.
        public var testBytesPerTile: Double
        public var description: String {
            layout == .perPositionAndNeighbour ? "per position + neighbour (\(contextBuckets) ranges)" :
                layout == .perPosition ? "per position" : "pooled"
        }
    }

    public struct Report: Sendable {
        public var bits: Int
        public var candidates: [Candidate]
        public var chosen: Candidate
    }

    /// The candidates tried for every bit depth.
    public static let candidates: [(EntropyModel.Layout, Int)] = [
        (.pooled, 1), (.perPosition, 1), (.perPositionAndNeighbour, 4), (.perPositionAndNeighbour, 8),
        (.perPositionAndNeighbour, 16),
    ]

    /// Fits tables for each of `bits` from codes in [0, 1] ([tiles × codeCount], the code layer's output)
    /// and returns the best model per bit depth with the measurements that chose it.
    public static func fit(trainingCodes: [Float], testCodes: [Float], codeChannels: Int,
                           bits: [Int]) throws -> [(model: EntropyModel, report: Report)] {
        let perTile = Architecture.codeSide * Architecture.codeSide * codeChannels
        return try bits.map { b in
            let q = CodeQuantizer(bits: b)
            let train = trainingCodes.map { UInt16(q.symbol($0)) }
            let test = testCodes.map { UInt16(q.symbol($0)) }
            let testTiles = Double(max(1, test.count / perTile))
            var best: (EntropyModel, Candidate)?
            var tried: [Candidate] = []
            for (layout, buckets) in candidates {
                let model = try EntropyModel.fit(symbols: train, bits: b, codeChannels: codeChannels,
                                                 layout: layout, contextBuckets: buckets)
                let c = Candidate(layout: layout, contextBuckets: model.contextBuckets,
                                  testBytesPerTile: model.idealBits(symbols: test) / 8 / testTiles)
                tried.append(c)
                if best == nil || c.testBytesPerTile < best!.1.testBytesPerTile { best = (model, c) }
            }
            return (best!.0, Report(bits: b, candidates: tried, chosen: best!.1))
        }
    }
}
