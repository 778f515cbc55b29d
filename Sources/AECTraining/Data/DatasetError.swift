import AECNet
/// Why a training data set could not be loaded. `description` is one line naming the file and the cause.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or directory does not exist; `hint` says how to get it, when known.
    case notFound(path: String, hint: String?)
    /// The file or directory exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// The file's magic number is not that of an IDX file of unsigned-byte images (0x00000803).
    case notIDXImages(path: String, magic: UInt32)
    /// The IDX header describes an impossible shape.
    case badHeader(path: String, reason: String)
    /// The file ends before the data that its header describes.
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// The file holds more bytes than its header describes.
    case trailingData(path: String, expectedBytes: Int)
    /// The gzip stream is damaged (bad data, bad checksum, cut short).
    case corruptGzip(path: String, reason: String)
    /// The images are not the 28×28 tiles the trainer needs.
    case wrongTileSize(rows: Int, cols: Int)
    /// A directory of training images holds no `.png` file.
    case noImages(directory: String)
    /// An image in a training directory could not be decoded.
    case badImage(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notFound(path, hint):
            return "'\(path)' not found" + (hint.map { "; \($0)" } ?? "")
        case let .unreadable(path, reason):
            return "cannot read '\(path)': \(reason)"
        case let .notIDXImages(path, magic):
            return "'\(path)': not an IDX image file (magic \(hex(magic)), expected \(hex(IDXImages.magic)))"
        case let .badHeader(path, reason):
            return "'\(path)': bad IDX header: \(reason)"
        case let .truncated(path, expected, actual):
            return "'\(path)': truncated IDX file (expected \(expected) bytes, found \(actual))"
        case let .trailingData(path, expected):
            return "'\(path)': unexpected data after the \(expected) bytes that the IDX header describes"
        case let .corruptGzip(path, reason):
            return "'\(path)': corrupt gzip data (\(reason))"
        case let .wrongTileSize(rows, cols):
            return "the images are \(cols)x\(rows) pixels; training tiles must be \(Architecture.tileSide)x\(Architecture.tileSide)"
        case let .noImages(directory):
            return "no PNG files found in '\(directory)'"
        case let .badImage(path, reason):
            return "'\(path)': \(reason)"
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
