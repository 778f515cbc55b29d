import AECNet

/// A training checkpoint is a model file with two extra sections, so a checkpoint is also a usable model:
///
///     "ADAM"  step (u64), count (u32), m[count] float32, v[count] float32 — the optimizer state
///     "TRNG"  epochs completed (u32), seed (u64), batch size (u32) — where to resume, and a sanity check
public struct Checkpoint {
    public var model: Autoencoder
    public var adam: Adam
    public var epochsCompleted: Int
    public var seed: UInt64
    public var batchSize: Int

    public init(model: Autoencoder, adam: Adam, epochsCompleted: Int, seed: UInt64, batchSize: Int) {
        self.model = model; self.adam = adam; self.epochsCompleted = epochsCompleted
        self.seed = seed; self.batchSize = batchSize
    }

    public func write(to path: String) throws {
        var adamBytes: [UInt8] = []
        adamBytes.appendLE(UInt64(adam.step))
        adamBytes.appendLE(UInt32(adam.m.count))
        for x in adam.m { adamBytes.appendLE(x.bitPattern) }
        for x in adam.v { adamBytes.appendLE(x.bitPattern) }
        var state: [UInt8] = []
        state.appendLE(UInt32(epochsCompleted))
        state.appendLE(seed)
        state.appendLE(UInt32(batchSize))
        try ModelFile(model: model, extraSections: [
            .init(tag: "ADAM", payload: adamBytes), .init(tag: "TRNG", payload: state),
        ]).write(to: path)
    }

    public static func load(from path: String) throws -> Checkpoint {
        let file = try ModelFile.load(from: path)
        func fail(_ why: String) -> ModelFileError { ModelFileError(file: path, reason: why) }
        guard let adamSection = file.section("ADAM"), let state = file.section("TRNG") else {
            throw fail("a model file, not a training checkpoint (no optimizer state)")
        }
        var r = ByteReader(adamSection.payload[...])
        guard let step = r.u64(), let count = r.u32(), Int(count) == file.model.parameters.count,
              r.remaining == 8 * Int(count) else { throw fail("bad ADAM section") }
        let m = (0..<Int(count)).map { _ in Float(bitPattern: r.u32()!) }
        let v = (0..<Int(count)).map { _ in Float(bitPattern: r.u32()!) }
        var s = ByteReader(state.payload[...])
        guard let epochs = s.u32(), let seed = s.u64(), let batch = s.u32() else {
            throw fail("bad TRNG section")
        }
        return Checkpoint(model: file.model,
                          adam: Adam(m: m, v: v, step: Int(step)),
                          epochsCompleted: Int(epochs), seed: seed,
                          batchSize: Int(batch))
    }
}
