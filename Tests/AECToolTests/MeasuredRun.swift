import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process run with its peak memory and wall time measured.
///
/// The peak is the child's own high-water mark of resident memory (`VmHWM` in /proc/PID/status), read
/// every 2 ms until it exits. Not `wait4(2)`'s `ru_maxrss`: a child made by posix_spawn shares the parent's
/// memory until it execs, and Linux counts the parent's peak into the child's `ru_maxrss` at exec — a test
/// process that has grown to 200 MB would make every child look that large.
struct MeasuredRun {
    var status: Int32
    var stderr: String
    /// Peak resident set in bytes.
    var peakBytes: Int
    var seconds: Double
    /// Killed by the watchdog.
    var timedOut: Bool

    /// Runs `executable` with `arguments`, stdin from `stdinPath` (e.g. /dev/zero, or a FIFO), stdout to
    /// /dev/null, and kills it after `timeout` seconds.
    static func run(_ executable: String, _ arguments: [String], stdinPath: String = "/dev/null",
                    timeout: Double = 30) throws -> MeasuredRun {
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("aec-measured-\(UUID().uuidString)").path
        defer { unlink(errorFile) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = Date()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            struct SpawnFailed: Error { let code: Int32 }
            throw SpawnFailed(code: spawned)
        }
        var status: Int32 = 0
        var peakKB = 0
        var timedOut = false
        while true {
            if let kb = highWaterKB(of: pid) { peakKB = max(peakKB, kb) }
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { break }
            if !timedOut && Date().timeIntervalSince(start) > timeout {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(2_000)
        }
        let seconds = Date().timeIntervalSince(start)
        let exited = status & 0x7F == 0
        let stderr = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
        return MeasuredRun(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), stderr: stderr,
                           peakBytes: peakKB * 1024, seconds: seconds, timedOut: timedOut)
    }

    /// VmHWM of a running process in kB (nil once it has exited).
    static func highWaterKB(of pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
}
