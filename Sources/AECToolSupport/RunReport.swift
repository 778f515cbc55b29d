import AECBase
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--report FILE`: a record of the run in JSON Lines, one object per file as it finishes, then one
/// summary object. Written as the run goes (a killed run leaves the records of the files it finished), one
/// `write(2)` per line under a lock. Keys, in this order:
///
///     {"input": …, "output": …, "status": "done" | "up to date" | "failed", "message": …,
///      "bytes_in": …, "bytes_out": …, "pixels": …, "model": …, "bits": …, "ms": …, "psnr": …}
///     {"summary": true, "tool": …, "shard": "K/N" | null, "done": …, "up_to_date": …, "failed": …, "skipped": …,
///      "bytes_in": …, "bytes_out": …, "pixels": …, "seconds": …}
///
/// Keys whose value is not known are left out (`message` only for failures, `psnr` only with `-v`).
public final class RunReport: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private let lock = Lock()

    /// Opens (creates or truncates) the report file.
    /// - Throws: `FileFailure` naming `path`.
    public init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw FileFailure(path: path, cause: "cannot write the report: \(FileSystem.reason())") }
        self.path = path
    }

    deinit { close(fd) }

    /// The record of one file.
    func file(_ file: PlannedFile, status: String, message: String? = nil, outcome: FileOutcome? = nil, milliseconds: Double) {
        var fields: [(String, JSONValue)] = [("input", .string(file.name)), ("output", .string(file.destinationName)),
                                            ("status", .string(status))]
        if let message { fields.append(("message", .string(message))) }
        if let outcome {
            fields += [("bytes_in", .int(outcome.bytesIn)), ("bytes_out", .int(outcome.bytesOut)), ("pixels", .int(outcome.pixels))]
            if let model = outcome.model { fields.append(("model", .string(model))) }
            if let bits = outcome.bits { fields.append(("bits", .int(bits))) }
        }
        fields.append(("ms", .number(milliseconds, decimals: 1)))
        if let psnr = outcome?.psnr { fields.append(("psnr", psnr.isFinite ? .number(psnr, decimals: 3) : .string("inf"))) }
        append(fields)
    }

    /// The closing summary.
    func summary(_ summary: RunSummary, tool: String, shard: Shard?, seconds: Double) {
        append([("summary", .bool(true)), ("tool", .string(tool)), ("shard", shard.map { .string($0.description) } ?? .null),
                ("done", .int(summary.done)), ("up_to_date", .int(summary.upToDate)), ("failed", .int(summary.failed)), ("skipped", .int(summary.skipped)),
                ("bytes_in", .int(summary.bytesIn)), ("bytes_out", .int(summary.bytesOut)), ("pixels", .int(summary.pixels)),
                ("seconds", .number(seconds, decimals: 3))])
    }

    private func append(_ fields: [(String, JSONValue)]) {
        let line = "{" + fields.map { "\(JSONValue.string($0.0).text): \($0.1.text)" }.joined(separator: ", ") + "}\n"
        lock.withLock { _ = try? FileSystem.writeAll(Array(line.utf8), to: fd, name: path) }
    }
}

/// The few JSON values a report holds, written by hand so that key order and number format are fixed.
enum JSONValue {
    case string(String), int(Int), number(Double, decimals: Int), bool(Bool), null

    var text: String {
        switch self {
        case .int(let v): return "\(v)"
        case let .number(v, decimals): return v.isFinite ? String(format: "%.\(decimals)f", v) : "null"
        case .bool(let v): return v ? "true" : "false"
        case .null: return "null"
        case .string(let s):
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
    }
}
