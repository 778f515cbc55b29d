import AECNet

/// What `--version` prints, the same for every tool: the release, the `.aec` format versions, the shipped
/// models found and the engine's kernels.
public enum AECVersion {
    /// The release of aec.
    public static let release = "0.6.0"

    /// The `--version` text of `tool`.
    public static func report(tool: String) -> String {
        let versions = AECFile.readableVersions
        let models = ShippedModels.folder == nil ? "not installed (see Docs/TOOLS.md)"
            : ShippedModels.names.map { name in
                ShippedModels.fingerprint(of: name).map { "\(name) (\(String(format: "%06x", $0)))" } ?? name
            }.joined(separator: ", ")
        return """
            \(tool) \(release)
            .aec format: writes version \(AECFile.wholeImageVersion) (whole images), or \(AECFile.version) (28×28 tiles; \(AECFile.metadataVersion) with metadata), reads versions \(versions.lowerBound)–\(versions.upperBound)
            shipped models: \(models)
            engine: \(EngineKernels.description)
            """
    }
}
