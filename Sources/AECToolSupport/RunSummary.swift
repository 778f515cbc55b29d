import AECBase
import Foundation

/// What one file took and gave, for the summary and the `-v` line.
public struct FileOutcome: Sendable {
    /// Bytes read (the PNG for encoding, the `.aec` for decoding).
    public var bytesIn: Int
    /// Bytes written.
    public var bytesOut: Int
    /// The image's width × height.
    public var pixels: Int
    /// The `-v` line for this file (without the tool's prefix).
    public var detail: String
    /// Remarks worth a line with `-v` (e.g. "coded as grayscale").
    public var notes: [String] = []
    /// The model's fingerprint (six hex digits) and the bits per code value, for the report.
    public var model: String?
    public var bits: Int?
    /// The PSNR of the decoded result (encoding with `-v`), for the report.
    public var psnr: Double?

    public init(bytesIn: Int, bytesOut: Int, pixels: Int, detail: String, notes: [String] = [],
                model: String? = nil, bits: Int? = nil, psnr: Double? = nil) {
        self.bytesIn = bytesIn; self.bytesOut = bytesOut; self.pixels = pixels
        self.detail = detail; self.notes = notes
        self.model = model; self.bits = bits; self.psnr = psnr
    }
}

/// Totals of a run: files done and failed, bytes in and out, pixels, time.
public struct RunSummary: Sendable {
    /// Which way the run went: the `.aec` side is the output when encoding, the input when decoding.
    public enum Direction: Sendable { case encode, decode }

    public let direction: Direction
    public var done = 0
    /// Outputs that existed already and were left as they are (`--skip-existing`).
    public var upToDate = 0
    public var failed = 0
    /// Files in the input folders that are not of the kind read (no `.png` / `.aec` extension): left out.
    public var skipped = 0
    public var bytesIn = 0
    public var bytesOut = 0
    public var pixels = 0

    public init(direction: Direction) { self.direction = direction }

    public mutating func add(_ outcome: FileOutcome) {
        done += 1
        bytesIn += outcome.bytesIn
        bytesOut += outcome.bytesOut
        pixels += outcome.pixels
    }

    /// Bytes of `.aec` data.
    public var codedBytes: Int { direction == .encode ? bytesOut : bytesIn }

    /// Mean bits of `.aec` per pixel over the files done.
    public var bitsPerPixel: Double { pixels == 0 ? 0 : 8 * Double(codedBytes) / Double(pixels) }

    /// "3 files done, 2 up to date, 1 failed, 4 other files skipped (not .png/.jpg): 12.3 kB → 1.1 kB (11.2:1), 1.84 bits/pixel, 0.4 s"
    public func line(seconds: Double) -> String {
        var text = "\(done) file\(done == 1 ? "" : "s") done"
        if upToDate > 0 { text += ", \(upToDate) up to date" }
        if failed > 0 { text += ", \(failed) failed" }
        if skipped > 0 {
            text += ", \(skipped) other file\(skipped == 1 ? "" : "s") skipped (not \(direction == .encode ? ".png/.jpg" : ".aec"))"
        }
        if done > 0 {
            text += ": \(Formatting.bytes(bytesIn)) → \(Formatting.bytes(bytesOut))"
            let png = Double(direction == .encode ? bytesIn : bytesOut), aec = Double(codedBytes)
            if png > 0 && aec > 0 {
                text += direction == .encode ? String(format: " (%.1f:1)", png / aec) : String(format: " (1:%.1f)", png / aec)
            }
            text += String(format: ", %.3f bits/pixel", bitsPerPixel)
        }
        return text + ", " + Formatting.duration(seconds)
    }
}
