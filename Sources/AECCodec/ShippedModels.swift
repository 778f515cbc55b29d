import AECBase
import AECNet
import Foundation

/// The models that ship with aec (`Sources/AECCodec/Models/*.aecm`, copied next to the executables by
/// the build as a SwiftPM resource bundle, or installed under `PREFIX/share/aec/models` by
/// `scripts/install.sh`).
///
/// The folder is the first of `searchedFolders` that holds `default.aecm`: `$AEC_MODELS`, then
/// `../share/aec/models` from the executable's folder, then the resource bundle next to the executable. A
/// copied or installed binary never depends on the build folder, and when no folder has the models the
/// error says where it looked (no crash: SwiftPM's own bundle accessor would stop the process).
///
/// Each model is parsed the first time it is asked for, then kept: encoding with one model, or decoding
/// files of one model, parses only that one (the files are several MB of entropy tables). Finding a model
/// by fingerprint reads only the last four bytes of each file — the CRC-32 the fingerprint is cut from.
public enum ShippedModels {
    /// The name of the default model's file.
    public static let defaultName = "default"

    /// The folders searched for the shipped models, in order.
    public static var searchedFolders: [String] {
        var folders: [String] = []
        if let given = ProcessInfo.processInfo.environment["AEC_MODELS"], !given.isEmpty { folders.append(given) }
        let executableFolder = Paths.parent(of: executablePath)
        folders.append(Paths.join(Paths.parent(of: executableFolder), "share/aec/models"))
        folders.append(Paths.join(executableFolder, "aec_AECCodec.resources/Models"))
        return folders
    }

    /// The folder the shipped models are read from: the first searched folder with `default.aecm`.
    public static var folder: String? {
        searchedFolders.first { FileSystem.kind(of: Paths.join($0, "\(defaultName).aecm")) == .file }
    }

    /// The running executable's path (Linux: /proc/self/exe; elsewhere Foundation's answer).
    private static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 { return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

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

    /// The fingerprint of the shipped model `name` (from its file's stored CRC, without parsing it).
    public static func fingerprint(of name: String) -> UInt32? { catalogue.fingerprint(of: name) }

    /// The shipped model with this fingerprint, if any.
    public static func model(withFingerprint fingerprint: UInt32) -> CodecModel? {
        guard let name = name(withFingerprint: fingerprint), let model = try? named(name),
              model.fingerprint == fingerprint else { return nil }
        return model
    }

    private static let catalogue = Catalogue(folder: folder.map { URL(fileURLWithPath: $0) })
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
        guard let folder else { throw CodecError.noShippedModels(searched: ShippedModels.searchedFolders) }
        guard names.contains(name) else { throw CodecError.noShippedModel(name) }
        lock.lock()
        defer { lock.unlock() }
        if let result = loaded[name] { return try result.get() }
        let result = Result { try CodecModel.load(from: folder.appendingPathComponent("\(name).aecm").path) }
        loaded[name] = result
        return try result.get()
    }

    func name(withFingerprint fingerprint: UInt32) -> String? {
        names.first { self.fingerprint(of: $0) == fingerprint }
    }

    func fingerprint(of name: String) -> UInt32? {
        lock.lock()
        defer { lock.unlock() }
        if fingerprints == nil {
            var byName: [String: UInt32?] = [:]
            for name in names { byName[name] = folder.flatMap { storedFingerprint(of: $0.appendingPathComponent("\(name).aecm").path) } }
            fingerprints = byName
        }
        return fingerprints?[name] ?? nil
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
