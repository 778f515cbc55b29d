import AECNet
import Foundation

/// A model file as the codec uses it: the network, its fingerprint, and an entropy model per bit depth.
///
/// The entropy models live in the model file's `ENTR` section: a count (u8), then each `EntropyModel`
/// serialized. The fingerprint is the low 24 bits of the model file's own CRC-32 (the CRC of every byte
/// before its last four, which store it), so it covers the weights and the tables; every `.aec` file
/// carries it. (Not the CRC of the whole file: a message followed by its own CRC always has the same CRC.)
public struct CodecModel: Sendable {
    public let file: ModelFile
    public let fingerprint: UInt32
    public let entropyModels: [Int: EntropyModel]
    /// Where it came from, for messages.
    public let name: String

    public var network: Autoencoder { file.model }
    public var availableBits: [Int] { entropyModels.keys.sorted() }

    public init(bytes: [UInt8], name: String) throws {
        let file = try ModelFile(bytes: bytes, name: name)
        var models: [Int: EntropyModel] = [:]
        if let section = file.section("ENTR") {
            var rest = section.payload[...]
            guard let count = rest.first else { throw ModelFileError(file: name, reason: "empty ENTR section") }
            rest = rest.dropFirst()
            for _ in 0..<count {
                do {
                    let (model, used) = try EntropyModel.parse(rest)
                    guard model.codeChannels == file.model.architecture.codeChannels else {
                        throw ModelFileError(file: name, reason: "entropy tables for \(model.codeChannels) code channels, network has \(file.model.architecture.codeChannels)")
                    }
                    models[model.bits] = model
                    rest = rest.dropFirst(used)
                } catch let error as ModelFileError {
                    throw error
                } catch {
                    throw ModelFileError(file: name, reason: "bad entropy tables: \(error)")
                }
            }
        }
        self.file = file
        self.entropyModels = models
        // The file's stored CRC-32 (its last four bytes, little-endian), which `ModelFile` has just checked
        // against the bytes before it.
        let n = bytes.count
        let storedCRC = UInt32(bytes[n - 4]) | UInt32(bytes[n - 3]) << 8 | UInt32(bytes[n - 2]) << 16 | UInt32(bytes[n - 1]) << 24
        self.fingerprint = storedCRC & 0xFF_FFFF
        self.name = name
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
