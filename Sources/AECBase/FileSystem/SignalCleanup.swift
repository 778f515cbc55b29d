#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Removes the temporary files of a run that is interrupted (SIGINT, SIGTERM, SIGHUP), then exits with
/// 128 + the signal's number (130 for Ctrl-C). SIGPIPE is ignored.
///
/// `install()` blocks those signals in the calling thread — call it before any other thread is started,
/// so every thread inherits the mask — and starts one thread that waits for them with `sigwait`. The
/// cleanup therefore runs as ordinary code, not in a signal handler: it takes the registry's lock, unlinks
/// every registered temporary file and calls `_exit` while still holding the lock. Temporary files are
/// created under the same lock (`createTemporary`), so none can appear after the cleanup has looked.
/// A file that was already renamed into place is complete; unlinking its old temporary name is harmless.
public enum SignalCleanup {
    private static let lock = Lock()
    nonisolated(unsafe) private static var temporaries: Set<String> = []
    nonisolated(unsafe) private static var installed = false
    nonisolated(unsafe) private static var toolName = "aec"

    /// The signals that end a run with cleanup.
    public static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Blocks the signals and starts the thread that cleans up when one arrives. Idempotent.
    public static func install(tool: String) {
        let first = lock.withLock { () -> Bool in
            defer { installed = true; toolName = tool }
            return !installed
        }
        guard first else { return }
        // A closed pipe (`aec-encode -v dir 2>&1 | head`) must not kill the run between a temporary file
        // and its rename: writes to it fail with EPIPE instead, and only the data written to stdout counts
        // as a failure.
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let waited = set
        let waiter = Thread {
            var set = waited, signal: Int32 = 0
            while sigwait(&set, &signal) != 0 {}
            cleanUpAndExit(signal: signal)
        }
        waiter.name = "signal cleanup"
        waiter.start()
    }

    /// Creates `path` exclusively (mode 0666 less the umask) and registers it for removal on a signal.
    /// - Returns: the open descriptor, or -1 with `errno` set.
    static func createTemporary(_ path: String) -> Int32 {
        lock.withLock {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 { temporaries.insert(path) }
            return fd
        }
    }

    /// Forgets `path` (it was renamed into place or removed).
    static func forget(_ path: String) {
        lock.withLock { _ = temporaries.remove(path) }
    }

    private static func cleanUpAndExit(signal: Int32) -> Never {
        lock.lock()  // never released: no temporary file can be created from here on
        for path in temporaries { unlink(path) }
        let note = (isatty(2) == 1 ? "\n" : "") + "\(toolName): interrupted (signal \(signal)); temporary files removed\n"
        _ = note.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        _exit(128 + signal)
    }
}
