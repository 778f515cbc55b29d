import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process run with its peak memory and wall time measured: `wait4(2)` gives the child's own resource
/// use (its peak resident set, including children it waited for), which `Process` does not expose.
struct MeasuredRun {
    var status: Int32
    var stderr: String
    /// Peak resident set in bytes.
    var peakBytes: Int
    var seconds: Double
    /// Killed by the watchdog.
    var timedOut: Bool

    /// Runs `executable` with `arguments`, stdin from `stdinPath` (e.g. /dev/zero), stdout to /dev/null,
    /// and kills it after `timeout` seconds.
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
        final class Flag: @unchecked Sendable { var fired = false }
        let watchdog = Flag()
        let timer = DispatchSource.makeTimerSource()
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler { watchdog.fired = true; kill(pid, SIGKILL) }
        timer.resume()
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        timer.cancel()
        let seconds = Date().timeIntervalSince(start)
        let exited = status & 0x7F == 0
        let stderr = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
        return MeasuredRun(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), stderr: stderr,
                           peakBytes: Int(usage.ru_maxrss) * 1024, seconds: seconds, timedOut: watchdog.fired)
    }
}
