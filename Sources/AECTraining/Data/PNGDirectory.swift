import AECBase
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The paths of the `.png` files (any case) under `directory`, found by `FolderWalk`'s rule (recursive,
/// hidden entries skipped, links to files followed and links to folders not), sorted.
/// - Throws: `DatasetError.notFound` / `.unreadable` for a missing or unreadable directory.
func pngFiles(under directory: String) throws -> [String] {
    switch FileSystem.kind(of: directory) {
    case .missing(let reason):
        if reason == FileSystem.reason(ENOENT) { throw DatasetError.notFound(path: directory, hint: nil) }
        throw DatasetError.unreadable(path: directory, reason: reason)
    case .file, .other:
        throw DatasetError.unreadable(path: directory, reason: FileSystem.reason(ENOTDIR))
    case .folder:
        break
    }
    let listing = FolderWalk.files(under: directory, extensions: ["png"])
    if let unreadable = listing.unreadable.first {
        throw DatasetError.unreadable(path: unreadable.path, reason: unreadable.reason)
    }
    return listing.files.map { Paths.join(directory, $0) }
}
