#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes outputs so that nothing is ever half-written or lost.
///
/// A file is written to a temporary file in its destination folder (`.NAME.tmp-PID-N`, hidden, so folder
/// scans skip it), registered with `SignalCleanup`, then renamed over the destination with `rename(2)`.
/// An existing destination is replaced only with `force`. On any failure the temporary file is removed
/// and the destination is untouched. (Without `force` the check for an existing file comes just before
/// the rename; a file created by another process in between would be replaced.)
public enum AtomicOutput {
    private static let counterLock = Lock()
    nonisolated(unsafe) private static var counter = 0

    /// Fails if `destination` may not be written: it exists and `force` is off, or it is a folder, or
    /// (without `createFolders`) its folder does not exist. Cheap; called before the work so that a file
    /// that would fail anyway is not encoded first.
    public static func check(_ destination: PlannedFile.Destination, force: Bool, createFolders: Bool = true) throws {
        guard case .file(let path) = destination else { return }
        if !createFolders, case .missing = FileIO.kind(of: Paths.parent(of: path)) {
            throw FileFailure(path: path, cause: "cannot write: no such folder \(Paths.parent(of: path))")
        }
        switch FileIO.kind(of: path, followingLinks: false) {
        case .missing: return
        case .folder: throw FileFailure(path: path, cause: "is a folder")
        case .file, .other:
            if !force { throw FileFailure(path: path, cause: "exists (use --force)") }
        }
    }

    /// Writes `bytes` to `destination`: atomically to a file, or all at once to stdout. Missing folders on
    /// the way are made only with `createFolders`.
    /// - Throws: `FileFailure` naming the destination.
    public static func write(_ bytes: [UInt8], to destination: PlannedFile.Destination, force: Bool,
                             createFolders: Bool = false) throws {
        guard case .file(let path) = destination else {
            try FileIO.writeAll(bytes, to: 1, name: "stdout")
            return
        }
        let folder = Paths.parent(of: path)
        switch FileIO.kind(of: folder) {
        case .folder: break
        case .missing where createFolders:
            try FileIO.makeFolders(folder)
        case .missing:
            throw FileFailure(path: path, cause: "cannot write: no such folder \(folder)")
        case .file, .other:
            throw FileFailure(path: path, cause: "cannot write: \(Paths.name(of: folder)) is not a folder")
        }
        let n = counterLock.withLock { () -> Int in counter += 1; return counter }
        let temporary = Paths.join(folder, ".\(Paths.name(of: path)).tmp-\(getpid())-\(n)")
        let fd = SignalCleanup.createTemporary(temporary)
        guard fd >= 0 else { throw FileFailure(path: path, cause: "cannot write: \(FileIO.reason())") }
        defer { SignalCleanup.forget(temporary) }
        var failure: String? = nil
        do {
            try FileIO.writeAll(bytes, to: fd, name: path)
        } catch {
            failure = (error as? FileFailure)?.cause ?? "\(error)"
        }
        // close(2) is called once whatever happens: on Linux the descriptor is gone even when it fails.
        if close(fd) != 0 && failure == nil { failure = FileIO.reason() }
        if let failure {
            unlink(temporary)
            throw FileFailure(path: path, cause: "cannot write: \(failure)")
        }
        do {
            try check(destination, force: force)
            guard rename(temporary, path) == 0 else { throw FileFailure(path: path, cause: "cannot write: \(FileIO.reason())") }
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
