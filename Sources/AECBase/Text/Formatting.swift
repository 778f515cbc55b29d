import Foundation

/// How every tool writes sizes and times for people.
public enum Formatting {
    /// "980 B", "12.3 kB", "4.56 MB" (powers of 1000).
    public static func bytes(_ n: Int) -> String {
        let value = Double(n)
        if n < 1000 { return "\(n) B" }
        if value < 1e6 { return String(format: value < 1e4 ? "%.2f kB" : "%.1f kB", value / 1e3) }
        if value < 1e9 { return String(format: value < 1e7 ? "%.2f MB" : "%.1f MB", value / 1e6) }
        return String(format: "%.2f GB", value / 1e9)
    }

    /// `text` with its control characters written as escapes (`\n`, `\r`, `\t`, `\x1B`), so that a message
    /// naming a file called "a\nb.png" stays one line and cannot drive the terminal.
    public static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar): out += String(format: "\\x%02X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// "0.42 s", "12 s", "3m05s", "2h07m".
    public static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.2f s", max(0, seconds)) }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m" : "\(s / 60)m\(String(format: "%02d", s % 60))s"
    }
}

/// The parts of a progress display that every tool draws the same way: the bar, the time left, and how
/// often to redraw.
public struct ProgressBar: Sendable {
    /// Characters between the brackets.
    public var width: Int
    /// Least seconds between two redraws.
    public var interval: Double
    private var lastDrawn: Double = -.infinity

    public init(width: Int, interval: Double) {
        self.width = width
        self.interval = interval
    }

    /// `[#########---------]` for `done` of `total`.
    public func bar(done: Int, total: Int) -> String {
        let filled = total <= 0 ? width : min(width, width * done / total)
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }

    /// Seconds left at the rate so far (0 until 1% is done).
    public static func secondsLeft(done: Int, total: Int, elapsed: Double) -> Double {
        let fraction = total <= 0 ? 1 : Double(done) / Double(total)
        return fraction > 0.01 ? elapsed * (1 - fraction) / fraction : 0
    }

    /// Whether a redraw is due at `now` (seconds on any steady clock); a final state is always due.
    /// Records the draw when it is.
    public mutating func isDue(at now: Double, final: Bool = false) -> Bool {
        guard final || now - lastDrawn >= interval else { return false }
        lastDrawn = now
        return true
    }
}
