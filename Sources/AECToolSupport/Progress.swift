import Dispatch
import Foundation

/// Progress of a run on stderr.
///
/// On a terminal: a one-line bar redrawn in place (`\r`), at most ten times a second, removed at the end.
/// Elsewhere (a pipe, a log file): a plain line every `interval` seconds, so short runs print none.
/// Nothing with `--quiet`, nor for a run of one file.
final class Progress: @unchecked Sendable {
    private let console: Console
    private let total: Int
    private let enabled: Bool
    private let start: UInt64
    private var lastShown: UInt64
    private let lock = Lock()
    /// Seconds between plain lines when stderr is not a terminal.
    static let interval = 5.0

    init(console: Console, total: Int) {
        self.console = console
        self.total = total
        enabled = console.verbosity != .quiet && total > 1
        start = DispatchTime.now().uptimeNanoseconds
        lastShown = start
    }

    /// Seconds since the run started.
    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// Shows the state after a file finished.
    func update(_ summary: RunSummary) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let finished = summary.done + summary.failed
        let due: Bool = lock.withLock {
            let wait = console.stderrIsTerminal ? 0.1 : Self.interval
            guard Double(now - lastShown) / 1e9 >= wait || (console.stderrIsTerminal && finished == total) else { return false }
            lastShown = now
            return true
        }
        guard due else { return }
        let counts = "\(finished)/\(total) files" + (summary.failed > 0 ? ", \(summary.failed) failed" : "")
        let bytes = "\(RunSummary.bytes(summary.bytesIn)) → \(RunSummary.bytes(summary.bytesOut))"
        let time = RunSummary.duration(elapsed)
        if console.stderrIsTerminal {
            let width = 24, filled = total == 0 ? width : width * finished / total
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            console.showStatus("[\(bar)] \(counts)  \(bytes)  \(time)")
        } else {
            console.message("\(counts), \(bytes), \(time)")
        }
    }

    /// Removes the bar.
    func finish() {
        guard enabled, console.stderrIsTerminal else { return }
        console.clearStatus()
    }
}
