import CImageIO

/// Why an image could not be read, decoded or encoded.
///
/// `description` is one line naming the cause ("corrupt PNG: IHDR: CRC error"); it does not name the file
/// being decoded — callers add that — except for file-system errors, which say which path failed.
public struct ImageIOError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The kind of failure, for callers that react differently (for example, to skip non-images).
    public enum Kind: Sendable, Equatable {
        /// The data is not in the expected format at all (wrong signature, empty).
        case notThisFormat
        /// The data starts like the format but is damaged: bad checksums, bad compressed data, truncation.
        case corrupt
        /// The image is larger than the caller's pixel limit.
        case tooLarge
        /// An allocation failed.
        case outOfMemory
        /// The image or a parameter cannot be encoded (for example, JPEG with alpha, quality 0).
        case invalidArgument
        /// A file could not be read or written.
        case fileSystem
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// The error that a CImageIO status code and message stand for.
    init(status: Int32, message: String) {
        let kind: Kind
        switch status {
        case AEC_ERR_FORMAT: kind = .notThisFormat
        case AEC_ERR_TOO_LARGE: kind = .tooLarge
        case AEC_ERR_NOMEM: kind = .outOfMemory
        case AEC_ERR_ARGUMENT: kind = .invalidArgument
        default: kind = .corrupt
        }
        self.init(kind, message)
    }
}
