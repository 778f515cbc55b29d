#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The paths of the `.png` files (any case) under `directory`, recursively, sorted.
///
/// Symbolic links to files are followed; symbolic links to directories are not (no cycles).
/// - Throws: `DatasetError.notFound` / `.unreadable` for a missing or unreadable directory.
func pngFiles(under directory: String) throws -> [String] {
    var info = stat()
    if stat(directory, &info) != 0 {
        if errno == ENOENT { throw DatasetError.notFound(path: directory, hint: nil) }
        throw DatasetError.unreadable(path: directory, reason: String(cString: strerror(errno)))
    }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
        throw DatasetError.unreadable(path: directory, reason: "Not a directory")
    }
    var found: [String] = []
    try collectPNGFiles(in: directory.hasSuffix("/") ? String(directory.dropLast()) : directory, into: &found)
    return found.sorted()
}

private func collectPNGFiles(in directory: String, into found: inout [String]) throws {
    guard let stream = opendir(directory) else {
        throw DatasetError.unreadable(path: directory, reason: String(cString: strerror(errno)))
    }
    defer { closedir(stream) }
    var subdirectories: [String] = []
    while let entry = readdir(stream) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name == "." || name == ".." { continue }
        let path = directory + "/" + name
        var info = stat()
        guard lstat(path, &info) == 0 else { continue }  // vanished while listing
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            subdirectories.append(path)
        case S_IFREG, S_IFLNK:
            let isFile = (info.st_mode & S_IFMT) == S_IFREG || (stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG)
            if isFile && name.lowercased().hasSuffix(".png") { found.append(path) }
        default:
            continue
        }
    }
    for subdirectory in subdirectories { try collectPNGFiles(in: subdirectory, into: &found) }
}
