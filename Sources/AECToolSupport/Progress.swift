import AECBase
import AECCodec
import Dispatch
import Foundation

/// Progress of a run on stderr.
///
/// On a terminal: a one-line bar redrawn in place (`\r`), at most ten times a second, removed at the end.
/// Elsewhere (a pipe, a log file): a plain line every `interval` seconds, so short runs print none.
/// Several files: files done and the time left. One file: the share of its bands done and the time left
/// (`withinFile`). Nothing with `--quiet`.
final class Progress: @unchecked Sendable {
    private let console: Console
    private let total: Int
    private let enabled: Bool
    private let start: UInt64
    private var bar: ProgressBar
    private let lock = Lock()
    /// Seconds between plain lines when stderr is not a terminal (`AEC_PROGRESS_INTERVAL` overrides it,
    /// for tests and logs that want more).
    static var interval: Double {
        ProcessInfo.processInfo.environment["AEC_PROGRESS_INTERVAL"].flatMap(Double.init) ?? 5.0
    }

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
        let left = finished < total && finished > 0
            ? ", ~\(Formatting.duration(ProgressBar.secondsLeft(done: finished, total: total, elapsed: now))) left" : ""
        let time = Formatting.duration(now) + left
        if console.stderrIsTerminal {
            console.showStatus("\(bar.bar(done: finished, total: total)) \(counts)  \(bytes)  \(time)")
        } else {
            console.message("\(counts), \(bytes), \(time)")
        }
    }

    /// For a run of one file: a handler showing how much of it is done (nil with `--quiet` or for
    /// several files, whose progress counts files).
    func withinFile(named name: String) -> Codec.ProgressHandler? {
        guard console.verbosity != .quiet, total == 1 else { return nil }
        return { [self] fraction in
            let now = elapsed
            let due = lock.withLock { bar.isDue(at: now, final: console.stderrIsTerminal && fraction >= 1) }
            guard due, fraction < 1 || console.stderrIsTerminal else { return }
            let percent = Int((100 * fraction).rounded(.down))
            let left = fraction > 0 && fraction < 1 ? ", ~\(Formatting.duration(now * (1 - fraction) / fraction)) left" : ""
            let text = "\(percent)% of \(name), \(Formatting.duration(now))\(left)"
            if console.stderrIsTerminal {
                console.showStatus("\(bar.bar(done: percent, total: 100)) \(text)")
            } else {
                console.message(text)
            }
        }
    }

    /// Removes the bar.
    func finish() {
        guard console.verbosity != .quiet, console.stderrIsTerminal else { return }
        console.clearStatus()
    }
}
