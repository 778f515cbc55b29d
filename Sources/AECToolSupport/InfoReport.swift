import AECBase
import AECCodec
import AECImage
import Foundation

/// `aec-decode --info`: each file's header on stdout, as `key: value` lines with a blank line between
/// files. The file is checked (magic, version, CRC) but not decoded, so no model is needed.
///
///     file:       photo.aec
///     size:       61×45 (2745 pixels)
///     colour:     YCbCr 4:4:4
///     bits:       6
///     model:      3fa2c1 (shipped: default)
///     alpha:      none
///     bytes:      1234 (header 9, alpha 0, payload 1221, CRC 4)
///     bits/pixel: 3.596
public enum InfoReport {
    /// Prints the report of every input; a file that cannot be read or parsed is one error line.
    /// - Returns: the exit status.
    /// - Throws: `UsageError` for inputs that do not go together.
    public static func run(inputs: [String], models: ModelChoice, maxPixels: Int, console: Console) throws -> Int32 {
        let plan = try InputPlan(inputs: inputs, output: nil, inputExtensions: ["aec"], outputExtension: "png")
        var failed = plan.failures.count
        for failure in plan.failures { console.error(failure.path, failure.cause) }
        for folder in plan.emptyFolders { console.warning("\(folder): no .aec files in this folder") }
        var first = true
        for file in plan.files {
            do {
                let bytes = try FileFailure.naming(file.name) { try AECFile.readBytes(file.sourcePath, maxPixels: maxPixels) }
                let header = try FileFailure.naming(file.name) { try AECFile(bytes: bytes, maxPixels: maxPixels) }
                try console.standardOutput((first ? "" : "\n") + text(header, name: file.name, byteCount: bytes.count, models: models))
                first = false
            } catch {
                let failure = error as? FileFailure ?? FileFailure(path: file.name, cause: "\(error)")
                console.error(failure.path, failure.cause)
                failed += 1
            }
        }
        return failed > 0 ? ExitStatus.failure : ExitStatus.success
    }

    /// The report of one parsed file of `byteCount` bytes.
    public static func text(_ file: AECFile, name: String, byteCount: Int, models: ModelChoice) -> String {
        let pixels = file.width * file.height
        let blockBytes = byteCount - file.headerSize - file.payload.count - 4  // alpha block, or version 4's blocks
        let fingerprint = String(format: "%06x", file.modelFingerprint)
        let model: String
        if let given = models.givenModel {
            model = given.fingerprint == file.modelFingerprint
                ? "\(fingerprint) (the --model model)"
                : "\(fingerprint) (not the --model model, which is \(String(format: "%06x", given.fingerprint)))"
        } else if let shipped = models.shippedName(file.modelFingerprint) {
            model = "\(fingerprint) (shipped: \(shipped))"
        } else {
            model = "\(fingerprint) (not a shipped model: decode it with --model)"
        }
        let lines: [(String, String)] = [
            ("file", name),
            ("format", "aec version \(file.formatVersion)" + (file.formatVersion == AECFile.wholeImageVersion ? " (whole image)" : "")),
            ("size", "\(file.width)×\(file.height) (\(pixels) pixels)"),
            ("colour", file.colour.description),
            ("bits", "\(file.bits)"),
            ("model", model),
            ("alpha", file.alpha.map { "stored losslessly, \($0.count) bytes (zlib)" } ?? "none"),
            ("metadata", metadataText(file.metadata)),
            ("bytes", "\(byteCount) (header \(file.headerSize), \(file.formatVersion >= 4 ? "blocks" : "alpha") \(blockBytes), "
                + "payload \(file.payload.count), CRC 4)"),
            ("bits/pixel", String(format: "%.3f", 8 * Double(byteCount) / Double(pixels))),
        ]
        return lines.map { key, value in (key + ":").padding(toLength: 12, withPad: " ", startingAt: 0) + value }
            .joined(separator: "\n") + "\n"
    }

    /// "ICC profile (3144 bytes), 2 text notes (Title, Author)", or "none".
    static func metadataText(_ metadata: ImageMetadata) -> String {
        var parts: [String] = []
        if let profile = metadata.iccProfile { parts.append("ICC profile (\(profile.count) bytes)") }
        if !metadata.texts.isEmpty {
            let keywords = metadata.texts.map(\.keyword)
            let shown = keywords.prefix(5).joined(separator: ", ") + (keywords.count > 5 ? ", …" : "")
            parts.append("\(keywords.count) text note\(keywords.count == 1 ? "" : "s") (\(Formatting.oneLine(shown)))")
        }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}
