import AECBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much a run prints on stderr besides its errors.
public enum Verbosity: Sendable {
    /// Errors only.
    case quiet
    /// Progress and a summary at the end.
    case normal
    /// Also one line per file.
    case verbose
}

/// The tool's stderr (messages, progress) and stdout (data), shared by every worker thread.
///
/// Every message is one line prefixed with the tool's name, written with one `write(2)` under a lock, so
/// lines from parallel workers never interleave. A progress bar shown on a terminal is cleared before a
/// line is printed and redrawn after it.
public final class Console: @unchecked Sendable {
    /// The tool's name, the prefix of every line ("aec-encode").
    public let tool: String
    public let verbosity: Verbosity
    /// Whether stderr is a terminal (progress is then drawn in place).
    public let stderrIsTerminal: Bool

    private let lock = Lock()
    /// The progress line now on screen ("" when none), redrawn after each message.
    private var statusLine = ""

    public init(tool: String, verbosity: Verbosity, stderrIsTerminal: Bool = isatty(2) == 1) {
        self.tool = tool
        self.verbosity = verbosity
        self.stderrIsTerminal = stderrIsTerminal
    }

    /// `aec-encode: error: PATH: cause` — always printed.
    public func error(_ path: String, _ cause: String) {
        message("error: \(path): \(cause)")
    }

    /// `aec-encode: error: text` — always printed.
    public func error(_ text: String) {
        message("error: \(text)")
    }

    /// `aec-encode: warning: text` — not with `--quiet`.
    public func warning(_ text: String) {
        guard verbosity != .quiet else { return }
        message("warning: \(text)")
    }

    /// `aec-encode: text` — not with `--quiet`.
    public func info(_ text: String) {
        guard verbosity != .quiet else { return }
        message(text)
    }

    /// `aec-encode: text` — only with `--verbose`.
    public func detail(_ text: String) {
        guard verbosity == .verbose else { return }
        message(text)
    }

    /// Writes one prefixed line to stderr (control characters in it escaped: `Formatting.oneLine`), keeping a
    /// progress bar below it.
    public func message(_ text: String) {
        lock.withLock {
            var out = statusLine.isEmpty ? "" : "\r\u{1B}[K"
            out += "\(tool): \(Formatting.oneLine(text))\n"
            out += statusLine
            writeAll(2, Array(out.utf8))
        }
    }

    /// Shows `line` in place of the previous progress line (terminal only).
    func showStatus(_ line: String) {
        lock.withLock {
            statusLine = line
            writeAll(2, Array(("\r\u{1B}[K" + line).utf8))
        }
    }

    /// Removes the progress line from the terminal.
    func clearStatus() {
        lock.withLock {
            guard !statusLine.isEmpty else { return }
            statusLine = ""
            writeAll(2, Array("\r\u{1B}[K".utf8))
        }
    }

    /// Writes `text` to stdout as it is (the `--info` report).
    public func standardOutput(_ text: String) throws {
        try lock.withLock { try FileFailure.naming("stdout") { try FileSystem.writeAll(Array(text.utf8), to: 1, name: "stdout") } }
    }

    /// Best-effort write of the whole buffer (stderr errors cannot be reported anywhere).
    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        _ = try? FileSystem.writeAll(bytes, to: fd, name: "stderr")
    }
}
