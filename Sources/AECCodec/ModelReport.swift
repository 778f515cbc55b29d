import AECNet
import Foundation

/// What `aec-train info MODEL.aecm` prints about a model file: the things a user needs to keep files and
/// models together (the fingerprint `.aec` files carry) and to know what the model codes.
public enum ModelReport {
    /// The report of `model`, read from `path` (`byteCount` bytes).
    public static func text(_ model: CodecModel, path: String, byteCount: Int) -> String {
        let a = model.network.architecture
        let fingerprint = String(format: "%06x", model.fingerprint)
        let shipped = ShippedModels.name(withFingerprint: model.fingerprint).map { " (shipped: \($0))" } ?? ""
        let lines: [(String, String)] = [
            ("file", path),
            ("fingerprint", fingerprint + shipped + " — the .aec files made with it carry this"),
            ("widths", "\(a.w1)/\(a.w2)/\(a.w3)"),
            ("code", "\(Architecture.codeSide)×\(Architecture.codeSide)×\(a.codeChannels) values per \(Architecture.tileSide)×\(Architecture.tileSide) tile"),
            ("parameters", "\(a.parameterLayout.count)"),
            ("bit depths", model.availableBits.isEmpty ? "none (no entropy tables: run aec-train --fit-entropy)"
                : model.availableBits.map(String.init).joined(separator: ", ")),
            ("size", "\(byteCount) bytes"),
        ]
        return lines.map { key, value in (key + ":").padding(toLength: 13, withPad: " ", startingAt: 0) + value }
            .joined(separator: "\n") + "\n"
    }
}
