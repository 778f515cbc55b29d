#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system operation that failed: the path and the system's reason ("No such file or directory"),
/// described as one line, `PATH: reason`. Each module words its own message around it.
public struct FileSystemError: Error, Equatable, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// An input longer than its reader's limit (`FileSystem.read(_:maxBytes:…)`).
public struct InputTooLargeError: Error, Equatable, CustomStringConvertible, Sendable {
    public let path: String
    /// The most bytes the input may have.
    public let limit: Int

    public init(path: String, limit: Int) {
        self.path = path
        self.limit = limit
    }

    public var description: String { "larger than \(Formatting.bytes(limit)), the most an input within the pixel limit needs" }
}

/// Reads, writes and folders with POSIX calls, so that every failure carries the system's reason.
/// Everything in aec that touches files goes through here (`AtomicFile` writes, `FolderWalk` lists).
public enum FileSystem {
    /// The system's text for `code` ("No such file or directory").
    public static func reason(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// What `stat(2)` says a path is.
    public enum Kind: Equatable, Sendable {
        case missing(reason: String)
        case file
        case folder
        /// A device, a FIFO, a socket, or (when not following links) a symbolic link.
        case other
    }

    /// The kind of `path`, following symbolic links unless `followingLinks` is false (`lstat`).
    public static func kind(of path: String, followingLinks: Bool = true) -> Kind {
        var info = stat()
        let status = followingLinks ? stat(path, &info) : lstat(path, &info)
        guard status == 0 else { return .missing(reason: reason()) }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .folder
        case S_IFREG: return .file
        default: return .other
        }
    }

    /// The contents of the file at `path`, or of stdin when `path` is nil.
    ///
    /// Hostile inputs cost little: the first `signatureLength` bytes (fewer if the input is shorter) are
    /// read and handed to `checkSignature` before anything else, so a file of the wrong kind is refused
    /// after one small read whatever its size; and an input longer than `maxBytes` is refused as soon as
    /// that is known (at once for a regular file, after `maxBytes` for a pipe or a device).
    /// - Throws: `FileSystemError` naming `path` (or "stdin"); a folder is refused ("Is a directory");
    ///   `InputTooLargeError` past `maxBytes`; whatever `checkSignature` throws.
    public static func read(_ path: String?, maxBytes: Int = Int.max, signatureLength: Int = 0,
                            checkSignature: ([UInt8]) throws -> Void = { _ in }) throws -> [UInt8] {
        let name = path ?? "stdin"
        let fd: Int32
        if let path {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileSystemError(path: name, reason: reason()) }
        } else {
            fd = 0
        }
        defer { if path != nil { close(fd) } }
        var info = stat()
        let isRegular = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
        if info.st_mode & S_IFMT == S_IFDIR { throw FileSystemError(path: name, reason: reason(EISDIR)) }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        /// Appends up to `count` more bytes; false at the end of the input.
        func readMore(_ count: Int) throws -> Bool {
            while true {
                let got = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, min(count, $0.count)) }
                if got > 0 { bytes.append(contentsOf: chunk[0..<got]); return true }
                if got == 0 { return false }
                if errno != EINTR { throw FileSystemError(path: name, reason: reason()) }
            }
        }
        while bytes.count < signatureLength, try readMore(signatureLength - bytes.count) {}
        try checkSignature(bytes)
        if isRegular {
            guard Int(info.st_size) <= maxBytes else { throw InputTooLargeError(path: name, limit: maxBytes) }
            bytes.reserveCapacity(Int(max(0, info.st_size)))
        }
        while try readMore(chunk.count) {
            guard bytes.count <= maxBytes else { throw InputTooLargeError(path: name, limit: maxBytes) }
        }
        return bytes
    }

    /// Writes all of `bytes` to `fd`, retrying short writes.
    /// - Throws: `FileSystemError` naming `name`.
    public static func writeAll(_ bytes: [UInt8], to fd: Int32, name: String) throws {
        var written = 0
        try bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = systemWrite(fd, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError(path: name, reason: reason())
                }
                written += count
            }
        }
    }

    /// Creates `path` and its missing parents (like `mkdir -p`).
    /// - Throws: `FileSystemError` naming the first folder that could not be made.
    public static func makeFolders(_ path: String) throws {
        if kind(of: path) == .folder { return }
        let parent = Paths.parent(of: path)
        if parent != path && !parent.isEmpty { try makeFolders(parent) }
        if mkdir(path, 0o777) != 0 && errno != EEXIST {
            throw FileSystemError(path: path, reason: "cannot create the folder: \(reason())")
        }
        guard kind(of: path) == .folder else { throw FileSystemError(path: path, reason: reason(ENOTDIR)) }
    }
}

/// Path strings, handled as text (no normalisation beyond what is said).
public enum Paths {
    /// `a/b/c.png` → `a/b`; `c.png` → `.`; `/c` → `/`. Trailing slashes are ignored.
    public static func parent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// The last component: `a/b/c.png` → `c.png`.
    public static func name(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `a` + `b` → `a/b` (no doubled slash).
    public static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// `photo.PNG` → `photo.aec`; a name without an extension (or a dot-file) gets one appended.
    public static func replacingExtension(of name: String, with ext: String) -> String {
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return String(name[..<dot]) + "." + ext
        }
        return name + "." + ext
    }

    /// The name without its extension: `a/photo.png` → `photo` (a dot-file keeps its name).
    public static func stem(of path: String) -> String {
        let name = name(of: path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// Whether the name ends with `.ext`, in any case.
    public static func hasExtension(_ name: String, _ ext: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return name[name.index(after: dot)...].lowercased() == ext.lowercased()
    }

    static func withoutTrailingSlashes(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }
}

// File-scope wrappers: inside `FileSystem`, `read` names its own method.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
