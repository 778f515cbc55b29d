/// Why a file cannot be encoded or decoded, as one line (the tools prefix the file name and add hints
/// about their own flags).
public enum CodecError: Error, Equatable, CustomStringConvertible {
    case notAEC(String)
    case unsupportedVersion(Int)
    /// Byte 2 of the file has bits 6–7 = 0 but is not 0x01: no version of the format writes that.
    case unknownVersionByte(UInt8)
    case truncated
    case checksumMismatch
    case corrupt(String)
    case wrongModel(file: UInt32, model: UInt32)
    case tooLarge(width: Int, height: Int, limit: Int)
    case emptyImage
    case unsupportedBits(Int, available: [Int])
    /// Bits per code value outside `Limits.bits`.
    case bitsOutOfRange(Int)
    /// No shipped model of this name (e.g. "default") in this build.
    case noShippedModel(String)
    /// No folder with the shipped models was found (`ShippedModels.searchedFolders`).
    case noShippedModels(searched: [String])
    case encodingFailed(String)
    case unknownModel(UInt32)

    public var description: String {
        switch self {
        case .notAEC(let why): return "not an .aec file (\(why))"
        case .unsupportedVersion(let v): return "unsupported .aec format version \(v) (this aec reads versions \(AECFile.readableVersions.lowerBound)–\(AECFile.readableVersions.upperBound))"
        case .unknownVersionByte(let b):
            return String(format: "not a valid .aec file: version byte 0x%02X names no format version (this aec reads versions %d–%d)",
                          b, AECFile.readableVersions.lowerBound, AECFile.readableVersions.upperBound)
        case .truncated: return "truncated .aec file"
        case .checksumMismatch: return "checksum mismatch: the file is damaged or truncated"
        case .corrupt(let why): return "corrupt .aec file: \(why)"
        case let .wrongModel(file, model):
            return String(format: "made with model %06x, but the model in use is %06x", file, model)
        case let .tooLarge(w, h, limit):
            let (pixels, overflow) = w.multipliedReportingOverflow(by: h)
            if !overflow && pixels <= limit {
                return "image too large: \(w)×\(h) pixels are \(Limits.codedPixels(width: w, height: h)) once padded to whole "
                    + "\(Limits.tileSide)×\(Limits.tileSide) tiles, more than the limit of \(limit)"
            }
            return "image too large: \(w)×\(h) pixels exceeds the limit of \(limit)"
        case .emptyImage: return "the image has no pixels"
        case .encodingFailed(let why): return "cannot encode: \(why)"
        case .noShippedModel(let name): return "no model \"\(name)\" is shipped in this build"
        case .noShippedModels(let searched):
            return "the shipped models are not installed (looked for default.aecm in \(searched.joined(separator: ", ")))"
        case .unknownModel(let f): return String(format: "made with model %06x, which is not one of the shipped models", f)
        case let .unsupportedBits(b, available):
            return "the model has no entropy tables for \(b) bits (it has: \(available.map(String.init).joined(separator: ", ")))"
        case .bitsOutOfRange(let b):
            return "\(b) bits per code value: the codec codes \(Limits.bits.lowerBound) to \(Limits.bits.upperBound)"
        }
    }
}
