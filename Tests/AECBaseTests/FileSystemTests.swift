import AECBase
import AECTestSupport
import Foundation
import XCTest

/// The one file-system layer: whole-file reads, atomic writes (with and without replacing), the folder
/// walk's rule, and `mkdir -p`.
final class FileSystemTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws { folder = try TestEnvironment.temporaryFolder("aec-base-test") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func path(_ name: String) -> String { Paths.join(folder, name) }
    func names(in dir: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    func testReadGivesTheBytesOrTheSystemsReason() throws {
        try AtomicFile.write([1, 2, 3], to: path("a.bin"))
        XCTAssertEqual(try FileSystem.read(path("a.bin")), [1, 2, 3])
        XCTAssertThrowsError(try FileSystem.read(path("missing"))) {
            XCTAssertEqual($0 as? FileSystemError, FileSystemError(path: path("missing"), reason: "No such file or directory"))
        }
        XCTAssertThrowsError(try FileSystem.read(folder)) {
            XCTAssertEqual(($0 as? FileSystemError)?.reason, "Is a directory")
        }
    }

    func testReadChecksTheSignatureFirstAndStopsAtTheLimit() throws {
        struct WrongKind: Error {}
        try AtomicFile.write([9, 8, 7, 6, 5, 4], to: path("b.bin"))
        var seen: [UInt8] = []
        XCTAssertEqual(try FileSystem.read(path("b.bin"), maxBytes: 6, signatureLength: 4) { seen = $0 }, [9, 8, 7, 6, 5, 4])
        XCTAssertEqual(seen, [9, 8, 7, 6], "the check sees the first bytes only")
        XCTAssertThrowsError(try FileSystem.read(path("b.bin"), signatureLength: 2) { _ in throw WrongKind() }) { XCTAssertTrue($0 is WrongKind) }
        XCTAssertThrowsError(try FileSystem.read(path("b.bin"), maxBytes: 5)) {
            XCTAssertEqual($0 as? InputTooLargeError, InputTooLargeError(path: path("b.bin"), limit: 5))
        }
        // A device that never ends: the check refuses it after one small read, the limit stops it otherwise.
        XCTAssertThrowsError(try FileSystem.read("/dev/zero", signatureLength: 8) { _ in throw WrongKind() }) { XCTAssertTrue($0 is WrongKind) }
        XCTAssertThrowsError(try FileSystem.read("/dev/zero", maxBytes: 1 << 20)) { XCTAssertTrue($0 is InputTooLargeError) }
        // A short file gives the check what it has.
        XCTAssertEqual(try FileSystem.read(path("b.bin"), signatureLength: 100) { XCTAssertEqual($0.count, 6) }.count, 6)
    }

    func testAtomicWriteReplacesOnlyWhenAskedAndLeavesNoTemporaryFile() throws {
        let target = path("out.aec")
        try AtomicFile.write([1], to: target, replacing: false)
        XCTAssertThrowsError(try AtomicFile.write([2], to: target, replacing: false)) {
            XCTAssertEqual($0 as? FileSystemError, FileSystemError(path: target, reason: AtomicFile.existsReason))
        }
        XCTAssertEqual(try FileSystem.read(target), [1], "the existing file is untouched")
        try AtomicFile.write([3], to: target, replacing: true)
        XCTAssertEqual(try FileSystem.read(target), [3])
        XCTAssertEqual(try names(in: folder), ["out.aec"], "no temporary file left")
    }

    func testAtomicWriteIntoAMissingFolder() throws {
        let nested = path("a/b/c.bin")
        XCTAssertThrowsError(try AtomicFile.write([1], to: nested)) {
            XCTAssertEqual(($0 as? FileSystemError)?.reason, "No such file or directory")
        }
        XCTAssertEqual(try names(in: folder), [])
        try AtomicFile.write([1], to: nested, createFolders: true)
        XCTAssertEqual(try FileSystem.read(nested), [1])
    }

    /// Writers racing for one name without replacing: exactly one wins, and its bytes are what is there.
    func testConcurrentWritersNeverReplaceEachOther() throws {
        for round in 0..<20 {
            let target = path("race-\(round).bin")
            let writers = 8
            let won = UnsafeMutableBufferPointer<Bool>.allocate(capacity: writers)
            defer { won.deallocate() }
            DispatchQueue.concurrentPerform(iterations: writers) { w in
                won[w] = (try? AtomicFile.write([UInt8](repeating: UInt8(w), count: 1000), to: target, replacing: false)) != nil
            }
            let winners = (0..<writers).filter { won[$0] }
            XCTAssertEqual(winners.count, 1, "round \(round)")
            XCTAssertEqual(try FileSystem.read(target), [UInt8](repeating: UInt8(winners.first ?? 99), count: 1000))
        }
        XCTAssertEqual(try names(in: folder).filter { $0.hasPrefix(".") }, [], "no temporary files")
    }

    func testMakeFoldersIsMkdirP() throws {
        try FileSystem.makeFolders(path("x/y/z"))
        XCTAssertEqual(FileSystem.kind(of: path("x/y/z")), .folder)
        try FileSystem.makeFolders(path("x/y/z"))  // again: nothing to do
        try AtomicFile.write([1], to: path("file"))
        XCTAssertThrowsError(try FileSystem.makeFolders(path("file/sub"))) {
            XCTAssertEqual($0 as? FileSystemError, FileSystemError(path: path("file"), reason: "Not a directory"))
        }
    }

    /// One rule for every tool: recursive, hidden entries skipped, links to files followed and links to
    /// folders not, extensions in any case, byte order.
    func testFolderWalkRule() throws {
        for name in ["b.png", "A.PNG", "a.png", "notes.txt", ".hidden.png", "sub/c.png", "sub/.d.png",
                     ".git/e.png", "Z/deep/f.Png"] {
            try AtomicFile.write([0], to: path(name), createFolders: true)
        }
        try FileManager.default.createSymbolicLink(atPath: path("link-to-file.png"), withDestinationPath: path("a.png"))
        try FileManager.default.createSymbolicLink(atPath: path("link-to-folder"), withDestinationPath: path("sub"))
        try FileManager.default.createSymbolicLink(atPath: path("dangling.png"), withDestinationPath: path("nowhere.png"))
        let listing = FolderWalk.files(under: folder, extensions: ["png"])
        XCTAssertEqual(listing.files, ["A.PNG", "Z/deep/f.Png", "a.png", "b.png", "link-to-file.png", "sub/c.png"])
        XCTAssertEqual(listing.unreadable, [])
        XCTAssertEqual(FolderWalk.files(under: folder, extensions: ["txt", "PNG"]).files.count, 7)
        XCTAssertEqual(FolderWalk.files(under: path("missing"), extensions: ["png"]).unreadable.map(\.path), [path("missing")])
    }

    func testPaths() {
        XCTAssertEqual(Paths.parent(of: "a/b/c.png"), "a/b")
        XCTAssertEqual(Paths.parent(of: "c.png"), ".")
        XCTAssertEqual(Paths.parent(of: "/c"), "/")
        XCTAssertEqual(Paths.name(of: "a/b/c.png/"), "c.png")
        XCTAssertEqual(Paths.stem(of: "a/photo.png"), "photo")
        XCTAssertEqual(Paths.stem(of: ".profile"), ".profile")
        XCTAssertEqual(Paths.replacingExtension(of: "photo.PNG", with: "aec"), "photo.aec")
        XCTAssertTrue(Paths.hasExtension("x.PnG", "png"))
        XCTAssertFalse(Paths.hasExtension(".png", "png"))
    }

    func testFormatting() {
        XCTAssertEqual(Formatting.bytes(980), "980 B")
        XCTAssertEqual(Formatting.bytes(12_345), "12.3 kB")
        XCTAssertEqual(Formatting.bytes(4_560_000), "4.56 MB")
        XCTAssertEqual(Formatting.duration(0.4213), "0.42 s")
        XCTAssertEqual(Formatting.duration(42.4), "42 s")
        XCTAssertEqual(Formatting.duration(185), "3m05s")
        XCTAssertEqual(Formatting.duration(7620), "2h07m")
        XCTAssertEqual(Formatting.oneLine("plain name.png"), "plain name.png")
        XCTAssertEqual(Formatting.oneLine("a\nb\r\tc\u{1B}[31m\u{7F}é.png"), "a\\nb\\r\\tc\\x1B[31m\\x7Fé.png")
        var bar = ProgressBar(width: 10, interval: 1)
        XCTAssertEqual(bar.bar(done: 3, total: 10), "[###-------]")
        XCTAssertEqual(bar.bar(done: 0, total: 0), "[##########]")
        XCTAssertTrue(bar.isDue(at: 0))
        XCTAssertFalse(bar.isDue(at: 0.5))
        XCTAssertTrue(bar.isDue(at: 0.6, final: true))
        XCTAssertEqual(ProgressBar.secondsLeft(done: 1, total: 4, elapsed: 10), 30)
    }
}
