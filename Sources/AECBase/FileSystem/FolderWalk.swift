#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files under a folder, found by one rule that every tool shares:
///
/// - recursive; entries whose name starts with `.` (hidden files and folders, our own temporary files)
///   are skipped;
/// - symbolic links to files are followed, symbolic links to folders are not (no cycles, no surprises);
/// - files are matched by extension, in any case (`.png`, `.PNG`);
/// - paths come back relative to the folder, sorted in byte order (the same on every file system).
public enum FolderWalk {
    /// What a walk found.
    public struct Listing: Sendable {
        /// Paths relative to the folder (`a/b.png`), sorted in byte order.
        public var files: [String] = []
        /// Folders that could not be listed, with the system's reason (the rest of the walk went on).
        public var unreadable: [FileSystemError] = []
        /// Files (not hidden) whose extension is not one of those asked for: left out, counted.
        public var otherFiles = 0
    }

    /// The files under `folder` whose extension is one of `extensions`.
    public static func files(under folder: String, extensions: [String]) -> Listing {
        var listing = Listing()
        scan(folder: folder, relative: "", extensions: extensions, into: &listing)
        return listing
    }

    private static func scan(folder: String, relative: String, extensions: [String], into listing: inout Listing) {
        let path = relative.isEmpty ? folder : Paths.join(folder, relative)
        guard let directory = opendir(path) else {
            listing.unreadable.append(FileSystemError(path: path, reason: FileSystem.reason()))
            return
        }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        closedir(directory)
        names.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for name in names {
            let child = relative.isEmpty ? name : Paths.join(relative, name)
            let childPath = Paths.join(folder, child)
            let matches = extensions.contains { Paths.hasExtension(name, $0) }
            switch FileSystem.kind(of: childPath, followingLinks: false) {
            case .folder:
                scan(folder: folder, relative: child, extensions: extensions, into: &listing)
            case .file:
                if matches { listing.files.append(child) } else { listing.otherFiles += 1 }
            case .other:
                // A symbolic link (or a device, a FIFO): follow links to files, skip links to folders.
                guard FileSystem.kind(of: childPath) == .file else { break }
                if matches { listing.files.append(child) } else { listing.otherFiles += 1 }
            case .missing:
                break  // removed while listing
            }
        }
    }
}
