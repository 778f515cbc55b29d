import AECBase
import AECNet
import Foundation

/// A model file as the codec uses it: the network, its fingerprint, and an entropy model per bit depth.
///
/// The entropy models live in the model file's `ENTR` section: a count (u8), then each `EntropyModel`
/// serialized. Loading checks the file (CRC, sections) and each model's header and length; a bit depth's
/// tables are built the first time that depth is used (a run uses one, and the tables of all seven take
/// tens of MB in memory).
///
/// The fingerprint, which every `.aec` file carries, depends only on what decoding depends on: it is the
/// low 24 bits of the CRC-32 of the model written as a model file with nothing else in it — the header,
/// ARCH, PARM and ENTR, in that order (`fingerprint(of:)`). Other sections (a training record, say) and
/// their order do not change it. A file written that way stores exactly that CRC in its last four bytes
/// (every shipped model is such a file), so loading one costs no second pass over its bytes.
public struct CodecModel: Sendable {
    public let file: ModelFile
    public let fingerprint: UInt32
    /// Where it came from, for messages.
    public let name: String
    private let tables: EntropyTables
    private let builtDecoder = BuiltOnce<FixedPointDecoder>()
    private let builtEncoder = BuiltOnce<FixedPointEncoder>()

    public var network: Autoencoder { file.model }

    /// The network's decoder in integers, which every decode runs (built on first use, a few milliseconds).
    public var decoder: FixedPointDecoder { builtDecoder.get { FixedPointDecoder(file.model) } }
    /// The network's encoder in integers, which every encode runs (built on first use).
    public var encoder: FixedPointEncoder { builtEncoder.get { FixedPointEncoder(file.model) } }
    /// The bit depths this model has entropy tables for, ascending.
    public var availableBits: [Int] { tables.extents.keys.sorted() }

    /// Parses and checks a model file.
    /// - Throws: `ModelFileError` naming `name`.
    public init(bytes: [UInt8], name: String) throws {
        let file = try ModelFile(bytes: bytes, name: name)
        // A file in the canonical layout stores its fingerprint's CRC, which `ModelFile` has just checked.
        let canonical = bytes.count >= 28 && Array(bytes[8..<12]) == Array("ARCH".utf8)
            && Array(bytes[24..<28]) == Array("PARM".utf8) && [[], ["ENTR"]].contains(file.extraSections.map(\.tag))
        try self.init(file: file, name: name,
                      fingerprint: canonical ? ModelFile.storedCRC(bytes) & 0xFF_FFFF : Self.fingerprint(of: file))
    }

    /// A model held in memory (a freshly trained one, say), as it would be once written and loaded.
    /// - Throws: `ModelFileError` naming `name` when its entropy tables are not valid.
    public init(file: ModelFile, name: String) throws {
        try self.init(file: file, name: name, fingerprint: Self.fingerprint(of: file))
    }

    private init(file: ModelFile, name: String, fingerprint: UInt32) throws {
        // The model file keeps any float; the codec's integer network cannot scale NaN or infinity.
        if let bad = file.model.parameters.firstIndex(where: { !$0.isFinite }) {
            throw ModelFileError(file: name, reason: "parameter \(bad) is \(file.model.parameters[bad]); a model that codes must have finite weights")
        }
        var extents: [Int: Range<Int>] = [:]
        let section = file.section("ENTR")
        let payload = section?.payload ?? []
        if section != nil {
            guard let count = payload.first else { throw ModelFileError(file: name, reason: "empty ENTR section") }
            var offset = 1
            for _ in 0..<count {
                do {
                    let (bits, channels, used) = try EntropyModel.extent(of: payload[offset...])
                    guard channels == file.model.architecture.codeChannels else {
                        throw ModelFileError(file: name, reason: "entropy tables for \(channels) code channels, network has \(file.model.architecture.codeChannels)")
                    }
                    extents[bits] = offset..<(offset + used)
                    offset += used
                } catch let error as ModelFileError {
                    throw error
                } catch {
                    throw ModelFileError(file: name, reason: "bad entropy tables: \(error)")
                }
            }
        }
        self.file = file
        self.tables = EntropyTables(payload: payload, extents: extents, name: name)
        self.fingerprint = fingerprint
        self.name = name
    }

    /// The fingerprint of a model: the low 24 bits of the CRC-32 of the canonical model file (header, ARCH,
    /// PARM, ENTR; no other section), which is the CRC that file stores in its last four bytes.
    public static func fingerprint(of file: ModelFile) -> UInt32 {
        let canonical = ModelFile(model: file.model, extraSections: file.extraSections.filter { $0.tag == "ENTR" })
        return ModelFile.storedCRC(canonical.serialized()) & 0xFF_FFFF
    }

    /// The entropy model for `bits`, built on first use; nil when the model has no tables for it.
    /// - Throws: `ModelFileError` when the stored tables are not valid.
    public func entropyModel(bits: Int) throws -> EntropyModel? { try tables.model(bits: bits) }

    /// Every bit depth's entropy model (builds them all).
    public var entropyModels: [Int: EntropyModel] {
        get throws {
            var all: [Int: EntropyModel] = [:]
            for bits in availableBits { all[bits] = try entropyModel(bits: bits) }
            return all
        }
    }

    public static func load(from path: String) throws -> CodecModel {
        try CodecModel(bytes: ModelFile.readModelBytes(path), name: path)
    }

    /// The model file with these entropy models in its ENTR section (replacing any there were).
    public static func attaching(_ models: [EntropyModel], to file: ModelFile) -> ModelFile {
        var payload: [UInt8] = [UInt8(models.count)]
        for m in models.sorted(by: { $0.bits < $1.bits }) { payload += m.serialized() }
        var out = file
        out.extraSections.removeAll { $0.tag == "ENTR" }
        out.extraSections.append(.init(tag: "ENTR", payload: payload))
        return out
    }
}

/// The serialized entropy models of one model file and the ones built so far; safe to share between threads.
private final class EntropyTables: @unchecked Sendable {
    let payload: [UInt8]
    /// Where each bit depth's serialized model lies in `payload`.
    let extents: [Int: Range<Int>]
    let name: String
    private let lock = Lock()
    private var built: [Int: Result<EntropyModel, ModelFileError>] = [:]

    init(payload: [UInt8], extents: [Int: Range<Int>], name: String) {
        self.payload = payload; self.extents = extents; self.name = name
    }

    func model(bits: Int) throws -> EntropyModel? {
        guard let extent = extents[bits] else { return nil }
        lock.lock()
        defer { lock.unlock() }
        if let result = built[bits] { return try result.get() }
        let result: Result<EntropyModel, ModelFileError>
        do {
            result = .success(try EntropyModel.parse(payload[extent]).model)
        } catch {
            result = .failure(ModelFileError(file: name, reason: "bad entropy tables for \(bits) bits: \(error)"))
        }
        built[bits] = result
        return try result.get()
    }
}

/// A value built on first use, once; safe to share between threads.
private final class BuiltOnce<Value: Sendable>: @unchecked Sendable {
    private let lock = Lock()
    private var value: Value?

    func get(_ build: () -> Value) -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let value { return value }
        let built = build()
        value = built
        return built
    }
}
