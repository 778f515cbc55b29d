#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that nothing is ever half-written: the one way aec writes a file (`.aec`, PNG, model,
/// checkpoint, report).
///
/// The bytes go to a hidden temporary file in the destination's folder, `.NAME.tmp-PID-N` (hidden, so
/// folder walks skip it; registered with `SignalCleanup`, so an interrupted run removes it), which is then
/// put in place in one step:
/// - replacing: `rename(2)` over whatever is there;
/// - not replacing: `link(2)`, which fails if the name exists at that instant, so two writers racing for
///   one name never replace each other's file (on a file system without hard links: a check for the name,
///   then `rename(2)`).
/// On any failure the temporary file is removed and the destination is untouched.
public enum AtomicFile {
    private static let counterLock = Lock()
    nonisolated(unsafe) private static var counter = 0

    /// The reason given when the destination exists and `replacing` is false.
    public static let existsReason = "exists"

    /// Writes `bytes` to `path`, making missing parent folders with `createFolders`.
    /// - Throws: `FileSystemError` naming `path`: the system's reason, or `existsReason`.
    public static func write(_ bytes: [UInt8], to path: String, replacing: Bool = true, createFolders: Bool = false) throws {
        let folder = Paths.parent(of: path)
        if createFolders, case .missing = FileSystem.kind(of: folder) {
            try FileSystem.makeFolders(folder)
        }
        let n = counterLock.withLock { () -> Int in counter += 1; return counter }
        let temporary = Paths.join(folder, ".\(Paths.name(of: path)).tmp-\(getpid())-\(n)")
        let fd = SignalCleanup.createTemporary(temporary)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: FileSystem.reason()) }
        defer { SignalCleanup.forget(temporary) }
        var failure: String? = nil
        do {
            try FileSystem.writeAll(bytes, to: fd, name: path)
        } catch let error as FileSystemError {
            failure = error.reason
        }
        // close(2) is called once whatever happens: on Linux the descriptor is gone even when it fails.
        if close(fd) != 0 && failure == nil { failure = FileSystem.reason() }
        if failure == nil { failure = putInPlace(temporary, path, replacing: replacing) }
        unlink(temporary)  // after link(2) or a failure; after rename(2) the name is already gone
        if let failure { throw FileSystemError(path: path, reason: failure) }
    }

    /// Moves the finished temporary file to `path`; the reason it could not, or nil.
    private static func putInPlace(_ temporary: String, _ path: String, replacing: Bool) -> String? {
        if replacing {
            return rename(temporary, path) == 0 ? nil : FileSystem.reason()
        }
        if link(temporary, path) == 0 { return nil }
        let linkError = errno
        if linkError == EEXIST { return existsReason }
        guard [EPERM, EXDEV, ENOTSUP, EOPNOTSUPP, ENOSYS, EMLINK].contains(linkError) else {
            return FileSystem.reason(linkError)
        }
        // No hard links here: the name is checked, then taken (a writer in between could be replaced).
        if case .missing = FileSystem.kind(of: path, followingLinks: false) {
            return rename(temporary, path) == 0 ? nil : FileSystem.reason()
        }
        return existsReason
    }
}
