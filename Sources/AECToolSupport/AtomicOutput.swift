import AECBase
/// Writes a tool's outputs so that nothing is ever half-written or lost: files through `AtomicFile`
/// (temporary file, then put in place in one step; an existing file is replaced only with `force`, and
/// not even by a concurrent run that created it a moment before), stdout all at once.
public enum AtomicOutput {
    /// Fails if `destination` may not be written: it exists and `force` is off, or it is a folder, or
    /// (without `createFolders`) its folder does not exist. Cheap; called before the work so that a file
    /// that would fail anyway is not encoded first. (The write itself checks again, atomically.)
    public static func check(_ destination: PlannedFile.Destination, force: Bool, createFolders: Bool = true) throws {
        guard case .file(let path) = destination else { return }
        if !createFolders, case .missing = FileSystem.kind(of: Paths.parent(of: path)) {
            throw FileFailure(path: path, cause: "cannot write: no such folder \(Paths.parent(of: path))")
        }
        switch FileSystem.kind(of: path, followingLinks: false) {
        case .missing: return
        case .folder: throw FileFailure(path: path, cause: "is a folder")
        case .file, .other:
            if !force { throw FileFailure.exists(path) }
        }
    }

    /// Writes `bytes` to `destination`: atomically to a file, or all at once to stdout. Missing folders on
    /// the way are made only with `createFolders`.
    /// - Throws: `FileFailure` naming the destination.
    public static func write(_ bytes: [UInt8], to destination: PlannedFile.Destination, force: Bool,
                             createFolders: Bool = false) throws {
        guard case .file(let path) = destination else {
            try FileFailure.naming("stdout") { try FileSystem.writeAll(bytes, to: 1, name: "stdout") }
            return
        }
        let folder = Paths.parent(of: path)
        switch FileSystem.kind(of: folder) {
        case .folder: break
        case .missing where createFolders: break
        case .missing:
            throw FileFailure(path: path, cause: "cannot write: no such folder \(folder)")
        case .file, .other:
            throw FileFailure(path: path, cause: "cannot write: \(Paths.name(of: folder)) is not a folder")
        }
        if case .folder = FileSystem.kind(of: path, followingLinks: false) { throw FileFailure(path: path, cause: "is a folder") }
        do {
            try AtomicFile.write(bytes, to: path, replacing: force, createFolders: createFolders)
        } catch let error as FileSystemError where error.reason == AtomicFile.existsReason {
            throw FileFailure.exists(path)
        } catch let error as FileSystemError {
            throw FileFailure(path: error.path, cause: error.path == path ? "cannot write: \(error.reason)" : error.reason)
        }
    }
}
