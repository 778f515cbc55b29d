import AECBase
import Dispatch

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
    private var bar: ProgressBar
    private let lock = Lock()
    /// Seconds between plain lines when stderr is not a terminal.
    static let interval = 5.0

    init(console: Console, total: Int) {
        self.console = console
        self.total = total
        enabled = console.verbosity != .quiet && total > 1
        start = DispatchTime.now().uptimeNanoseconds
        bar = ProgressBar(width: 24, interval: console.stderrIsTerminal ? 0.1 : Self.interval)
        _ = bar.isDue(at: 0)  // the first plain line comes after one interval
    }

    /// Seconds since the run started.
    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// Shows the state after a file finished.
    func update(_ summary: RunSummary) {
        guard enabled else { return }
        let finished = summary.done + summary.failed
        let now = elapsed
        let due = lock.withLock { bar.isDue(at: now, final: console.stderrIsTerminal && finished == total) }
        guard due else { return }
        let counts = "\(finished)/\(total) files" + (summary.failed > 0 ? ", \(summary.failed) failed" : "")
        let bytes = "\(Formatting.bytes(summary.bytesIn)) → \(Formatting.bytes(summary.bytesOut))"
        let time = Formatting.duration(now)
        if console.stderrIsTerminal {
            console.showStatus("\(bar.bar(done: finished, total: total)) \(counts)  \(bytes)  \(time)")
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
