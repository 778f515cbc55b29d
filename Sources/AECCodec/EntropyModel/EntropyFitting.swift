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
            switch layout {
            case .pooled: return "pooled"
            case .perPosition: return "per position"
            case .perPositionAndNeighbour: return "per position + neighbour (\(contextBuckets) ranges)"
            case .perPositionAndTwoNeighbours: return "per position + left × upper (\(contextBuckets) ranges each)"
            }
        }
    }

    public struct Report: Sendable {
        public var bits: Int
        public var candidates: [Candidate]
        public var chosen: Candidate
    }

    /// The candidates tried for every bit depth (those whose tables fit `maximumTableBytes`).
    public static let candidates: [(EntropyModel.Layout, Int)] = [
        (.pooled, 1), (.perPosition, 1), (.perPositionAndNeighbour, 4), (.perPositionAndNeighbour, 8),
        (.perPositionAndNeighbour, 16), (.perPositionAndTwoNeighbours, 4), (.perPositionAndTwoNeighbours, 6),
        (.perPositionAndTwoNeighbours, 8), (.perPositionAndTwoNeighbours, 12),
    ]

    /// The most bytes one bit depth's tables may take in the model file. Finer contexts keep paying a
    /// little (the left × upper layout at 12 ranges each is 169 tables per code value), but the tables
    /// grow with 2^B: this keeps a model with tables for 2…8 bits at a few MB.
    public static let maximumTableBytes = 1_500_000

    /// Bytes of the tables of a layout in the model file: each table is a u16 count and 2^B u16 values.
    static func tableBytes(layout: EntropyModel.Layout, contextBuckets: Int, bits: Int, codeChannels: Int) -> Int {
        EntropyModel.tableCount(layout: layout, codeChannels: codeChannels, contextBuckets: contextBuckets) * (2 + 2 * (1 << bits))
    }

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
            for (layout, buckets) in candidates
            where tableBytes(layout: layout, contextBuckets: buckets, bits: b, codeChannels: codeChannels) <= maximumTableBytes {
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
