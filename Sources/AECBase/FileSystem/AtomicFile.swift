#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes files so that nothing is ever half-written: the one way aec writes a file (`.aec`, PNG, model,
/// checkpoint, report).
///
/// The bytes go to a hidden temporary file in the destination's folder, `.NAME.tmp-HOST-PID-N` (HOST: 8 hex
/// digits of the CRC-32 of the host name; hidden, so folder walks skip it; registered with `SignalCleanup`,
/// so an interrupted run removes it), which is then put in place in one step:
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
        let temporary = Paths.join(folder, ".\(Paths.name(of: path)).tmp-\(hostTag)-\(getpid())-\(n)")
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

    /// This host's tag in temporary names: 8 hex digits of the CRC-32 of its name (so that runs on several
    /// machines writing into one shared folder can tell their own temporary files from the others').
    public static let hostTag: String = {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        let bytes = name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(format: "%08x", CRC32.checksum(bytes))
    }()

    /// Removes from `folder` the temporary files that runs on this host left behind when they were killed
    /// (SIGKILL, a crash, a power cut): names `.NAME.tmp-HOST-PID-N` (or the older `.NAME.tmp-PID-N`) whose
    /// host is this one and whose process is no longer alive. Files of live processes, of other hosts,
    /// and everything else are left alone.
    /// - Returns: the names removed.
    @discardableResult
    public static func removeStaleTemporaries(in folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        var names: [String] = []
        while let entry = readdir(directory) {
            names.append(withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            })
        }
        closedir(directory)
        var removed: [String] = []
        for name in names where name.hasPrefix(".") {
            guard let owner = temporaryOwner(name), owner.host == nil || owner.host == hostTag,
                  owner.pid != getpid(), kill(owner.pid, 0) != 0, errno == ESRCH else { continue }
            let path = Paths.join(folder, name)
            guard FileSystem.kind(of: path, followingLinks: false) == .file, unlink(path) == 0 else { continue }
            removed.append(name)
        }
        return removed.sorted()
    }

    /// The host tag (nil in the older form) and process of a temporary file's name, or nil when the name
    /// is not one of ours.
    static func temporaryOwner(_ name: String) -> (host: String?, pid: pid_t)? {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards) else { return nil }
        let fields = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        let isNumber = { (s: Substring) in !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } }
        switch fields.count {
        case 2 where isNumber(fields[0]) && isNumber(fields[1]):
            return pid_t(fields[0]).map { (nil, $0) }
        case 3 where fields[0].count == 8 && fields[0].allSatisfy(\.isHexDigit) && isNumber(fields[1]) && isNumber(fields[2]):
            return pid_t(fields[1]).map { (String(fields[0]), $0) }
        default:
            return nil
        }
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
