#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic writes with POSIX calls, so that errors carry the system's reason
/// ("cannot read 'x.png': No such file or directory").
enum FileBytes {
    /// The contents of the file at `path`.
    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("read", path) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw ImageIOError(.fileSystem, "cannot read '\(path)': Is a directory")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(max(0, info.st_size)))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Writes `bytes` to a temporary file next to `path` and renames it over `path`, so that readers never
    /// see a half-written file and a failed write leaves no output behind.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw failure("write", path) }
        var written = 0
        var failed: ImageIOError? = nil
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = systemWrite(fd, buffer.baseAddress.map { $0 + written }, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    failed = failure("write", path)
                    return
                }
                written += count
            }
        }
        if close(fd) != 0, failed == nil { failed = failure("write", path) }
        if failed == nil, rename(temporary, path) != 0 { failed = failure("write", path) }
        if let failed {
            unlink(temporary)
            throw failed
        }
    }

    private static func failure(_ verb: String, _ path: String) -> ImageIOError {
        let reason = String(cString: strerror(errno))
        return ImageIOError(.fileSystem, "cannot \(verb) '\(path)': \(reason)")
    }
}

// File-scope wrappers: inside `FileBytes`, `read` and `write` name its own methods.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
