import Foundation

/// The models that ship inside the package (`Sources/AECCodec/Models/*.aecm`, a SwiftPM resource).
public enum ShippedModels {
    /// The name of the default model's file.
    public static let defaultName = "default"

    /// The folder the models were copied into at build time.
    static var folder: URL? { Bundle.module.url(forResource: "Models", withExtension: nil) }

    /// The default model (`default.aecm`).
    public static func `default`() throws -> CodecModel { try named(defaultName) }

    /// The shipped model `name.aecm` (from the models `all()` loaded once).
    /// - Throws: `CodecError.noShippedModel` when this build has no such model; `ModelFileError` when it
    ///   does not load.
    public static func named(_ name: String) throws -> CodecModel {
        if let loaded = all().first(where: { $0.name == name }) { return loaded.model }
        // Not among the loaded ones: missing, or it failed to load — say which.
        guard let url = folder?.appendingPathComponent("\(name).aecm"),
              FileManager.default.fileExists(atPath: url.path) else {
            throw CodecError.noShippedModel(name)
        }
        return try CodecModel.load(from: url.path)
    }

    /// Every shipped model, by file name (without `.aecm`), sorted; models that fail to load are skipped.
    /// Loaded once per process.
    public static func all() -> [(name: String, model: CodecModel)] { loaded }

    private static let loaded: [(name: String, model: CodecModel)] = {
        guard let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return names.filter { $0.hasSuffix(".aecm") }.sorted().compactMap { name in
            (try? CodecModel.load(from: folder.appendingPathComponent(name).path)).map { (String(name.dropLast(5)), $0) }
        }
    }()

    /// The shipped model with this fingerprint, if any.
    public static func model(withFingerprint fingerprint: UInt32) -> CodecModel? {
        all().first { $0.model.fingerprint == fingerprint }?.model
    }
}
