import AECBase
import AECCodec
import AECImage

/// Why one file could not be done: the path to name (the input, or the output when writing failed) and
/// the cause, printed as `aec-encode: error: PATH: cause`.
public struct FileFailure: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let cause: String

    public init(path: String, cause: String) {
        self.path = path
        self.cause = cause
    }

    /// The output exists and `--force` was not given.
    static func exists(_ path: String) -> FileFailure { FileFailure(path: path, cause: "exists (use --force)") }

    /// Runs `body`; any error it throws becomes a failure of `path` whose cause is the error's description
    /// (`ImageIOError`, `CodecError`, `ModelFileError`, … all describe themselves in one line; a
    /// `FileSystemError` about `path` itself gives its reason alone), with the tools' hints added.
    public static func naming<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as FileFailure {
            throw failure
        } catch let error as FileSystemError where error.path == path {
            throw FileFailure(path: path, cause: error.reason)
        } catch {
            throw FileFailure(path: path, cause: ToolHints.describe(error))
        }
    }

    public var description: String { "\(path): \(cause)" }
}

/// What the libraries' errors do not say, because it is about the tools' flags.
public enum ToolHints {
    /// The error's one-line description, with the flag that helps appended where there is one.
    public static func describe(_ error: Error) -> String {
        let text = String(describing: error)
        if error is InputTooLargeError { return text + " (--max-pixels raises it)" }
        if let imageError = error as? ImageIOError, imageError.kind == .tooLarge { return text + " (--max-pixels raises it)" }
        guard let codecError = error as? CodecError else { return text }
        switch codecError {
        case .wrongModel: return text + " (pass the right one with --model)"
        case .noShippedModel: return text + "; pass one with --model"
        case .unknownModel: return text + " (in \(ShippedModels.folder ?? "?")); pass it with --model"
        case .noShippedModels: return text + "; install them with scripts/install.sh, set AEC_MODELS to their folder, or pass --model"
        case .bitsOutOfRange: return text + " (--bits)"
        case .tooLarge: return text + " (--max-pixels raises it)"
        default: return text
        }
    }
}
