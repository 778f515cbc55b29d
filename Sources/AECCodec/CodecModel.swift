import AECNet
import Foundation

/// A model file as the codec uses it: the network, its fingerprint, and an entropy model per bit depth.
///
/// The entropy models live in the model file's `ENTR` section: a count (u8), then each `EntropyModel`
/// serialized. Loading checks the file (CRC, sections) and each model's header and length; a bit depth's
/// tables are built the first time that depth is used (a run uses one, and the tables of all seven take
/// tens of MB in memory). The fingerprint is the low 24 bits of the model file's own CRC-32 (the CRC of
/// every byte before its last four, which store it), so it covers the weights and the tables; every `.aec`
/// file carries it. (Not the CRC of the whole file: a message followed by its own CRC always has the same CRC.)
public struct CodecModel: Sendable {
    public let file: ModelFile
    public let fingerprint: UInt32
    /// Where it came from, for messages.
    public let name: String
    private let tables: EntropyTables

    public var network: Autoencoder { file.model }
    /// The bit depths this model has entropy tables for, ascending.
    public var availableBits: [Int] { tables.extents.keys.sorted() }

    public init(bytes: [UInt8], name: String) throws {
        let file = try ModelFile(bytes: bytes, name: name)
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
        // From the CRC the file stores, which `ModelFile` has just checked against the bytes before it.
        self.fingerprint = Self.fingerprint(storedCRC: ModelFile.storedCRC(bytes))
        self.name = name
    }

    /// A model's fingerprint: the low 24 bits of the CRC-32 its file stores.
    public static func fingerprint(storedCRC: UInt32) -> UInt32 { storedCRC & 0xFF_FFFF }

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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return try CodecModel(bytes: data.byteArray, name: path)
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
    private let lock = NSLock()
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
