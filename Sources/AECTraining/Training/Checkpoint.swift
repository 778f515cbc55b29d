import AECBase
import AECNet

/// A training checkpoint is a model file with two extra sections, so a checkpoint is also a usable model:
///
///     "ADAM"  step (u64), count (u32), m[count] float32, v[count] float32 — the optimizer state
///     "TRNG"  epochs completed (u32), seed (u64), batch size (u32) — where to resume, and a sanity check
///     "RATE"  only with rate-aware training: bits (u8), positions (u32), logits[positions · 2^bits] float32,
///             then its optimizer state as in ADAM
public struct Checkpoint {
    public var model: Autoencoder
    public var adam: Adam
    public var epochsCompleted: Int
    public var seed: UInt64
    public var batchSize: Int
    /// The rate model and its optimizer, with rate-aware training.
    public var rate: (model: RateModel, adam: Adam)?

    public init(model: Autoencoder, adam: Adam, epochsCompleted: Int, seed: UInt64, batchSize: Int,
                rate: (model: RateModel, adam: Adam)? = nil) {
        self.model = model; self.adam = adam; self.epochsCompleted = epochsCompleted
        self.seed = seed; self.batchSize = batchSize; self.rate = rate
    }

    /// step (u64), count (u32), m[count], v[count] as float32.
    static func serialize(_ adam: Adam, into out: inout [UInt8]) {
        out.appendLE(UInt64(adam.step))
        out.appendLE(UInt32(adam.m.count))
        for x in adam.m { out.appendLE(x.bitPattern) }
        for x in adam.v { out.appendLE(x.bitPattern) }
    }

    static func parseAdam(_ r: inout ByteReader, count expected: Int) -> Adam? {
        guard let step = r.u64(), let count = r.u32(), Int(count) == expected, r.remaining >= 8 * Int(count) else { return nil }
        let m = (0..<Int(count)).map { _ in Float(bitPattern: r.u32()!) }
        let v = (0..<Int(count)).map { _ in Float(bitPattern: r.u32()!) }
        return Adam(m: m, v: v, step: Int(step))
    }

    public func write(to path: String) throws {
        var adamBytes: [UInt8] = []
        Self.serialize(adam, into: &adamBytes)
        var state: [UInt8] = []
        state.appendLE(UInt32(epochsCompleted))
        state.appendLE(seed)
        state.appendLE(UInt32(batchSize))
        var sections: [ModelFile.Section] = [.init(tag: "ADAM", payload: adamBytes), .init(tag: "TRNG", payload: state)]
        if let rate {
            var bytes: [UInt8] = [UInt8(rate.model.bits)]
            bytes.appendLE(UInt32(rate.model.positions))
            for x in rate.model.logits { bytes.appendLE(x.bitPattern) }
            Self.serialize(rate.adam, into: &bytes)
            sections.append(.init(tag: "RATE", payload: bytes))
        }
        try ModelFile(model: model, extraSections: sections).write(to: path)
    }

    public static func load(from path: String) throws -> Checkpoint {
        let file = try ModelFile.load(from: path)
        func fail(_ why: String) -> ModelFileError { ModelFileError(file: path, reason: why) }
        guard let adamSection = file.section("ADAM"), let state = file.section("TRNG") else {
            throw fail("a model file, not a training checkpoint (no optimizer state)")
        }
        var r = ByteReader(adamSection.payload[...])
        guard let adam = parseAdam(&r, count: file.model.parameters.count), r.atEnd else { throw fail("bad ADAM section") }
        var rate: (model: RateModel, adam: Adam)?
        if let section = file.section("RATE") {
            var q = ByteReader(section.payload[...])
            guard let bits = q.u8(), (1...16).contains(bits), let positions = q.u32(),
                  [file.model.architecture.codeCount, file.model.architecture.codeChannels].contains(Int(positions)),
                  q.remaining >= 4 * (Int(positions) << bits) else {
                throw fail("bad RATE section")
            }
            let logits = (0..<(Int(positions) << bits)).map { _ in Float(bitPattern: q.u32()!) }
            guard let rateAdam = parseAdam(&q, count: logits.count), q.atEnd else { throw fail("bad RATE section") }
            rate = (RateModel(bits: Int(bits), positions: Int(positions), logits: logits), rateAdam)
        }
        var s = ByteReader(state.payload[...])
        guard let epochs = s.u32(), let seed = s.u64(), let batch = s.u32() else {
            throw fail("bad TRNG section")
        }
        return Checkpoint(model: file.model, adam: adam, epochsCompleted: Int(epochs), seed: seed,
                          batchSize: Int(batch), rate: rate)
    }
}
