/// The entropy model of a whole-image code (format version 5), derived from a model's tile entropy model
/// for the same bits, so that every shipped model codes whole images without new tables.
///
/// A tile model chooses a table by position in the 7×7 code grid (and by the neighbours' symbols); a
/// whole-image code has no fixed grid, so here each channel's tables are pooled over the 49 positions: for
/// every context, the frequencies of the position tables are summed and normalized again
/// (`FrequencyTable(counts:)`, integer arithmetic only, so every machine derives the same tables). The
/// contexts are the tile model's, taken from the neighbours in the whole code: the symbol of the same
/// channel to the left and above (their mean for the one-neighbour layout; 0 where there is none).
struct PlaneEntropyModel: Sendable {
    let bits: Int
    let codeChannels: Int
    let layout: EntropyModel.Layout
    let contextBuckets: Int
    let contexts: Int
    /// [channel × contexts] tables.
    let tables: [FrequencyTable]
    /// The least any symbol costs, in bits (`FrequencyTable.leastCost` over the tables).
    let leastBitsPerSymbol: Double

    init(pooling model: EntropyModel) {
        bits = model.bits
        codeChannels = model.codeChannels
        layout = model.layout
        contextBuckets = model.contextBuckets
        contexts = EntropyModel.contextsPerSymbol(layout: model.layout, contextBuckets: model.contextBuckets)
        let alphabet = 1 << model.bits, channels = model.codeChannels
        if model.layout == .pooled {
            tables = model.tables
        } else {
            // Tile table index: (position·channels + channel)·contexts + context.
            var counts = [[Int]](repeating: [Int](repeating: 0, count: alphabet), count: channels * contexts)
            for (index, table) in model.tables.enumerated() {
                let context = index % contexts, channel = (index / contexts) % channels
                for s in 0..<alphabet { counts[channel * contexts + context][s] += Int(table.frequencies[s]) }
            }
            tables = counts.map { FrequencyTable(counts: $0) }
        }
        leastBitsPerSymbol = tables.map(\.leastCost).min() ?? 0
    }

    /// The table for the symbol of `channel` whose left and upper neighbours (same channel) are `left` and
    /// `up` (nil outside the code).
    @inline(__always)
    func tableIndex(channel: Int, left: Int?, up: Int?) -> Int {
        let k = contextBuckets
        let context: Int
        switch layout {
        case .pooled, .perPosition:
            context = 0
        case .perPositionAndNeighbour:
            if let left, let up {
                context = 1 + (((left + up + 1) / 2) * k) >> bits
            } else if let n = left ?? up {
                context = 1 + (n * k) >> bits
            } else {
                context = 0
            }
        case .perPositionAndTwoNeighbours:
            let l = left.map { 1 + ($0 * k) >> bits } ?? 0
            let u = up.map { 1 + ($0 * k) >> bits } ?? 0
            context = l * (k + 1) + u
        }
        return channel * contexts + context
    }
}
