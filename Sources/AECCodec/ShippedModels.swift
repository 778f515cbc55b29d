import AECBase
import AECNet
import Foundation

/// The models that ship inside the package (`Sources/AECCodec/Models/*.aecm`, a SwiftPM resource).
///
/// Each model is parsed the first time it is asked for, then kept: encoding with one model, or decoding
/// files of one model, parses only that one (the files are several MB of entropy tables). Finding a model
/// by fingerprint reads only the last four bytes of each file — the CRC-32 the fingerprint is cut from.
public enum ShippedModels {
    /// The name of the default model's file.
    public static let defaultName = "default"

    /// The folder the models were copied into at build time.
    static var folder: URL? { Bundle.module.url(forResource: "Models", withExtension: nil) }

    /// The default model (`default.aecm`).
    public static func `default`() throws -> CodecModel { try named(defaultName) }

    /// The names (file names without `.aecm`) of the shipped models, sorted.
    public static var names: [String] { catalogue.names }

    /// The shipped model `name.aecm`, parsed on first use.
    /// - Throws: `CodecError.noShippedModel` when this build has no such model; `ModelFileError` when it
    ///   does not load.
    public static func named(_ name: String) throws -> CodecModel { try catalogue.model(name) }

    /// Every shipped model, by name, sorted; models that fail to load are skipped.
    public static func all() -> [(name: String, model: CodecModel)] {
        names.compactMap { name in (try? named(name)).map { (name, $0) } }
    }

    /// The name of the shipped model with this fingerprint, if any (without parsing any model).
    public static func name(withFingerprint fingerprint: UInt32) -> String? {
        catalogue.name(withFingerprint: fingerprint)
    }

    /// The shipped model with this fingerprint, if any.
    public static func model(withFingerprint fingerprint: UInt32) -> CodecModel? {
        guard let name = name(withFingerprint: fingerprint), let model = try? named(name),
              model.fingerprint == fingerprint else { return nil }
        return model
    }

    private static let catalogue = Catalogue(folder: folder)
}

/// The shipped models' files and the ones parsed so far, safe to use from several threads.
private final class Catalogue: @unchecked Sendable {
    let folder: URL?
    let names: [String]
    private let lock = Lock()
    private var loaded: [String: Result<CodecModel, Error>] = [:]
    private var fingerprints: [String: UInt32?]?

    init(folder: URL?) {
        self.folder = folder
        let files = folder.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0.path) } ?? []
        names = files.filter { $0.hasSuffix(".aecm") }.map { String($0.dropLast(5)) }.sorted()
    }

    func model(_ name: String) throws -> CodecModel {
        guard let folder, names.contains(name) else { throw CodecError.noShippedModel(name) }
        lock.lock()
        defer { lock.unlock() }
        if let result = loaded[name] { return try result.get() }
        let result = Result { try CodecModel.load(from: folder.appendingPathComponent("\(name).aecm").path) }
        loaded[name] = result
        return try result.get()
    }

    func name(withFingerprint fingerprint: UInt32) -> String? {
        lock.lock()
        defer { lock.unlock() }
        if fingerprints == nil {
            var byName: [String: UInt32?] = [:]
            for name in names { byName[name] = folder.flatMap { storedFingerprint(of: $0.appendingPathComponent("\(name).aecm").path) } }
            fingerprints = byName
        }
        return names.first { fingerprints?[$0] == fingerprint }
    }

    /// The fingerprint cut from the CRC-32 a model file stores in its last four bytes — the model's
    /// fingerprint if the file is sound and canonical (shipped models are; a test checks), which loading
    /// it checks.
    private func storedFingerprint(of path: String) -> UInt32? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd(), end >= 4, (try? handle.seek(toOffset: end - 4)) != nil,
              let tail = try? handle.read(upToCount: 4), tail.count == 4 else { return nil }
        return ModelFile.storedCRC(tail) & 0xFF_FFFF
    }
}
