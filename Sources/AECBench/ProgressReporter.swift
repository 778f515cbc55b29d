import AECBase
import Foundation

/// Progress on stderr: a bar redrawn in place on a terminal, else one plain line per finished setting;
/// nothing when quiet. Called from one thread (between the parallel phases), never from the timed work.
public final class ProgressReporter {
    public enum Mode { case bar, lines, quiet }

    public let mode: Mode
    private var total = 1, done = 0
    private var start = Date()
    private var bar = ProgressBar(width: 30, interval: 0.1)
    private var label = ""
    private let write: (String) -> Void

    /// `mode` defaults to a bar when stderr is a terminal, else plain lines.
    public init(mode: Mode? = nil, write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.mode = mode ?? (isatty(STDERR_FILENO) != 0 ? .bar : .lines)
        self.write = write
    }

    public func begin(total: Int) {
        self.total = max(1, total)
        done = 0
        start = Date()
    }

    public func advance(_ units: Int, label: String) {
        done = min(total, done + units)
        self.label = label
        guard mode == .bar else { return }
        if bar.isDue(at: Date().timeIntervalSince(start), final: done == total) { draw() }
    }

    public func settingDone(index: Int, of count: Int, _ text: String) {
        if mode == .lines { write("[\(index)/\(count)] \(text)\n") }
    }

    /// A line of its own (clearing the bar first).
    public func message(_ text: String) {
        guard mode != .quiet else { return }
        if mode == .bar { write("\r\u{1B}[K") }
        write(text + "\n")
        if mode == .bar && done > 0 && done < total { draw() }
    }

    public func finish() {
        if mode == .bar { write("\r\u{1B}[K") }
    }

    private func draw() {
        let elapsed = Date().timeIntervalSince(start)
        let eta = ProgressBar.secondsLeft(done: done, total: total, elapsed: elapsed)
        let text = "\(bar.bar(done: done, total: total)) \(100 * done / total)% \(Formatting.duration(elapsed)) elapsed, "
            + "~\(Formatting.duration(eta)) left  \(label)"
        write("\r\u{1B}[K" + String(text.prefix(120)))
    }
}
