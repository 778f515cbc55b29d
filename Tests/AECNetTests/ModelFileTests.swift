import AECBase
import Foundation
import XCTest
@testable import AECNet

/// The `.aecm` model file: exact round trips, and every kind of damage rejected with a `ModelFileError`.
final class ModelFileTests: XCTestCase {
    /// A small model whose parameters include the awkward floats (signed zero, subnormal, infinities, NaNs
    /// with payloads), with three extra sections, one of them empty.
    private func sampleFile() -> ModelFile {
        let a = Architecture(w1: 2, w2: 3, w3: 2, codeChannels: 2)
        var model = Autoencoder(architecture: a, seed: 7)
        let special: [Float] = [-0.0, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity,
                                Float(bitPattern: 0x7FC0_1234), Float(bitPattern: 0xFFA0_0001), .ulpOfOne]
        model.parameters.replaceSubrange(0..<special.count, with: special)
        return ModelFile(model: model, extraSections: [
            .init(tag: "ENTR", payload: [1, 2, 3]),
            .init(tag: "ADAM", payload: []),
            .init(tag: "zz_9", payload: Array(repeating: 0xAB, count: 1000)),
        ])
    }

    private func assertRejected(_ bytes: [UInt8], _ why: String, containing text: String? = nil,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ModelFile(bytes: bytes, name: "test.aecm"), why, file: file, line: line) { error in
            guard let e = error as? ModelFileError else {
                return XCTFail("\(why): threw \(type(of: error)), not ModelFileError", file: file, line: line)
            }
            XCTAssertEqual(e.file, "test.aecm", file: file, line: line)
            XCTAssertTrue(e.description.hasPrefix("test.aecm: "), file: file, line: line)
            if let text { XCTAssertTrue(e.reason.contains(text), "\(why): reason \"\(e.reason)\" lacks \"\(text)\"", file: file, line: line) }
        }
    }

    /// Replaces the trailing CRC with the CRC of everything before it, so a deliberate edit passes the
    /// checksum and reaches the check behind it.
    private func withFixedCRC(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.dropLast(4))
        body.appendLE(CRC32.checksum(body))
        return body
    }

    func testRoundTripIsBitExact() throws {
        let original = sampleFile()
        let bytes = original.serialized()
        let parsed = try ModelFile(bytes: bytes)
        XCTAssertEqual(parsed.model.architecture, original.model.architecture)
        assertBitEqual(parsed.model.parameters, original.model.parameters, "parameters")
        XCTAssertEqual(parsed.extraSections, original.extraSections, "extra sections, in order")
        XCTAssertEqual(parsed.section("ADAM")?.payload, [])
        XCTAssertNil(parsed.section("NONE"))
        XCTAssertEqual(parsed.serialized(), bytes, "re-serializing gives the same bytes")
    }

    /// The header and section layout byte by byte, and a golden CRC of a whole file with hand-set
    /// parameters: a change to the format cannot slip through unnoticed.
    func testLayoutAndGoldenChecksum() throws {
        let a = Architecture(w1: 1, w2: 1, w3: 1)
        let count = a.parameterLayout.count
        let model = Autoencoder(architecture: a, parameters: (0..<count).map { Float($0) / 8 })
        let bytes = ModelFile(model: model, extraSections: [.init(tag: "XTRA", payload: [9, 8])]).serialized()
        let header: [UInt8] = Array("AECM".utf8) + [1, 0, 0, 0]
            + Array("ARCH".utf8) + [8, 0, 0, 0] + [1, 0, 1, 0, 1, 0, 1, 0]
            + Array("PARM".utf8) + withLE(UInt32(4 + 4 * count)) + withLE(UInt32(count))
        XCTAssertEqual(Array(bytes.prefix(header.count)), header)
        XCTAssertEqual(Array(bytes[(header.count)..<(header.count + 8)]), [0, 0, 0, 0, 0, 0, 0, 0x3E], "0, then 1/8 = 0x3E000000")
        let xtra = header.count + 4 * count
        XCTAssertEqual(Array(bytes[xtra..<(xtra + 10)]), Array("XTRA".utf8) + [2, 0, 0, 0, 9, 8])
        XCTAssertEqual(bytes.count, xtra + 10 + 4)
        XCTAssertEqual(Array(bytes.suffix(4)), withLE(CRC32.checksum(bytes.dropLast(4))))
        XCTAssertEqual(count, 160)
        // Golden values computed independently (Python: struct.pack + zlib.crc32 of the same layout).
        XCTAssertEqual(bytes.count, 690)
        XCTAssertEqual(CRC32.checksum(bytes.dropLast(4)), 0xAFDE_295B, "golden CRC of the file's content (its stored CRC)")
        // (The CRC of a whole file that ends with its own CRC is the constant 0x2144DF1C for any content,
        // so it says nothing; this pins the property that makes that so.)
        XCTAssertEqual(CRC32.checksum(bytes), 0x2144_DF1C)
    }

    private func withLE<T: FixedWidthInteger>(_ v: T) -> [UInt8] { var b: [UInt8] = []; b.appendLE(v); return b }

    /// One flipped bit anywhere (every byte, a different bit each time, CRC included) is rejected.
    func testEveryFlippedBitIsRejected() {
        let bytes = sampleFile().serialized()
        for i in bytes.indices {
            var damaged = bytes
            damaged[i] ^= 1 << (i % 8)
            assertRejected(damaged, "bit \(i % 8) of byte \(i) flipped")
        }
        // The messages say what is wrong.
        var magic = bytes; magic[0] ^= 1
        assertRejected(magic, "magic", containing: "not an aec model file")
        var body = bytes; body[100] ^= 0x10
        assertRejected(body, "body", containing: "checksum mismatch")
        var crc = bytes; crc[crc.count - 1] ^= 0x80
        assertRejected(crc, "CRC", containing: "checksum mismatch")
    }

    func testTruncationIsRejected() {
        let bytes = sampleFile().serialized()
        for length in [0, 1, 3, 4, 7, 8, 11, 12, 13, 20, 28, bytes.count / 2, bytes.count - 5, bytes.count - 4,
                       bytes.count - 1] {
            assertRejected(Array(bytes.prefix(length)), "truncated to \(length) of \(bytes.count) bytes")
        }
        assertRejected(Array(bytes.prefix(8)), "header only", containing: "truncated")
    }

    func testWrongMagicIsRejected() {
        var bytes = sampleFile().serialized()
        bytes.replaceSubrange(0..<4, with: Array("\u{89}PNG".utf8.prefix(4)))
        assertRejected(withFixedCRC(bytes), "PNG magic", containing: "AECM")
        assertRejected(Array("AECMAECMAECM".utf8), "garbage after the magic")
    }

    /// Version 2 with a valid CRC: the version check is what fails, and says which versions are readable.
    func testUnknownVersionIsRejected() {
        var bytes = sampleFile().serialized()
        bytes[4] = 2; bytes[5] = 0
        assertRejected(withFixedCRC(bytes), "version 2", containing: "version 2 is not supported")
        bytes[4] = 0; bytes[5] = 1
        assertRejected(withFixedCRC(bytes), "version 256", containing: "version 256")
    }

    /// Well-formed files (valid CRC) with bad contents.
    func testInconsistentSectionsAreRejected() {
        let file = sampleFile()
        let good = file.serialized()
        let archAt = 8, parmAt = 8 + 16
        // A width of 0.
        var zeroWidth = good; zeroWidth[archAt + 8] = 0
        assertRejected(withFixedCRC(zeroWidth), "w1 = 0", containing: "bad ARCH")
        // Widths that do not match the parameter count.
        var wrongWidth = good; wrongWidth[archAt + 8] = 3
        assertRejected(withFixedCRC(wrongWidth), "w1 = 3", containing: "parameters, but widths")
        // PARM count disagreeing with its length.
        var wrongCount = good; wrongCount[parmAt + 8] ^= 1
        assertRejected(withFixedCRC(wrongCount), "PARM count", containing: "bad PARM")
        // A section length running past the end.
        var longSection = good; longSection[parmAt + 6] = 0x7F
        assertRejected(withFixedCRC(longSection), "PARM length", containing: "truncated section")
        // No ARCH, no PARM.
        let noArch = Array(good[0..<8]) + Array(good[parmAt..<(good.count - 4)]) + [0, 0, 0, 0]
        assertRejected(withFixedCRC(noArch), "no ARCH", containing: "missing ARCH or PARM")
        let headerOnly = Array(good[0..<8]) + [0, 0, 0, 0]
        assertRejected(withFixedCRC(headerOnly), "no sections", containing: "missing ARCH or PARM")
    }

    /// ARCH and PARM appear once each: a second one is an error, not a silent replacement of the first.
    func testDuplicateRequiredSectionIsRejected() {
        let good = sampleFile().serialized()
        let parmAt = 8 + 16, parmLength = 8 + 4 + 4 * sampleFile().model.parameters.count
        let parm = Array(good[parmAt..<(parmAt + parmLength)])
        assertRejected(withFixedCRC(Array(good.dropLast(4)) + parm + [0, 0, 0, 0]), "PARM twice", containing: "PARM")
        let arch = Array(good[8..<parmAt])
        assertRejected(withFixedCRC(Array(good.dropLast(4)) + arch + [0, 0, 0, 0]), "ARCH twice", containing: "ARCH")
    }

    /// A section tag that is not printable ASCII (here 0xFF "ABC", with a valid CRC) is rejected with an
    /// error. It once reached `Section(tag:payload:)` as "\u{FFFD}ABC" and trapped on its precondition, so
    /// the test runs in a child process: a trap fails this test instead of killing the whole suite.
    func testNonASCIISectionTagIsRejectedWithoutTrapping() throws {
        let body = Array(sampleFile().serialized().dropLast(4))
        let badTags: [[UInt8]] = [[0xFF, 0x41, 0x42, 0x43], [0x41, 0x42, 0x43, 0x00], [0xC3, 0xA9, 0x41, 0x42]]
        if ProcessInfo.processInfo.environment["AEC_MODELFILE_CHILD"] == "1" {
            for tag in badTags {
                assertRejected(withFixedCRC(body + tag + [1, 0, 0, 0, 0x55, 0, 0, 0, 0]), "tag \(tag)", containing: "tag")
            }
            return
        }
        #if os(Linux)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["AECNetTests.ModelFileTests/testNonASCIISectionTagIsRejectedWithoutTrapping"]
        child.environment = ProcessInfo.processInfo.environment.merging(["AEC_MODELFILE_CHILD": "1"]) { $1 }
        let output = Pipe()
        child.standardOutput = output
        child.standardError = output
        try child.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        XCTAssertFalse(child.terminationReason == .uncaughtSignal,
                       "ModelFile(bytes:) trapped (signal \(child.terminationStatus)) on a section tag that is not ASCII")
        XCTAssertTrue(child.terminationReason == .exit && child.terminationStatus == 0
                      && text.contains("Executed 1 test, with 0 failures"),
                      "the child test did not run or failed:\n\(text.suffix(2000))")
        #else
        throw XCTSkip("runs the test binary again as a child process (Linux only)")
        #endif
    }

    // MARK: Files

    private func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aec-modelfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testWriteAndLoad() throws {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("m.aecm").path
        let file = sampleFile()
        try file.write(to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.aecm"], "no temporary file left")
        let loaded = try ModelFile.load(from: path)
        assertBitEqual(loaded.model.parameters, file.model.parameters)
        XCTAssertEqual(loaded.extraSections, file.extraSections)
        // Overwriting an existing file replaces it, again leaving nothing else behind.
        let other = ModelFile(model: Autoencoder(architecture: Architecture(w1: 1, w2: 1, w3: 1), seed: 1))
        try other.write(to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["m.aecm"])
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), other.serialized())
        XCTAssertEqual(try ModelFile.load(from: path).model.architecture, Architecture(w1: 1, w2: 1, w3: 1))
    }

    func testWriteIntoMissingDirectoryThrows() throws {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("no/such/dir/m.aecm").path
        XCTAssertThrowsError(try sampleFile().write(to: path)) { error in
            XCTAssertTrue(error is ModelFileError, "\(error)")
            XCTAssertTrue("\(error)".contains("cannot write"), "\(error)")
        }
        XCTAssertThrowsError(try AtomicFile.write([1, 2, 3], to: path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testLoadMissingOrDamagedFile() throws {
        let dir = try temporaryDirectory()
        let missing = dir.appendingPathComponent("missing.aecm").path
        XCTAssertThrowsError(try ModelFile.load(from: missing)) { error in
            XCTAssertEqual((error as? ModelFileError)?.reason, "no such file")
            XCTAssertEqual((error as? ModelFileError)?.file, missing)
        }
        let damaged = dir.appendingPathComponent("damaged.aecm").path
        var bytes = sampleFile().serialized(); bytes[50] ^= 4
        try AtomicFile.write(bytes, to: damaged)
        XCTAssertThrowsError(try ModelFile.load(from: damaged)) { error in
            XCTAssertEqual((error as? ModelFileError)?.file, damaged, "the message names the file")
        }
    }

    func testByteReader() {
        var r = ByteReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07][...])
        XCTAssertEqual(r.u8(), 0x01)
        XCTAssertEqual(r.u16(), 0x0302)
        XCTAssertEqual(r.u32(), 0x0706_0504)
        XCTAssertTrue(r.atEnd)
        XCTAssertNil(r.u8())
        var s = ByteReader([9, 9, 1, 2, 3][2...])   // a slice not starting at 0
        XCTAssertEqual(s.remaining, 3)
        XCTAssertNil(s.u32())
        XCTAssertEqual(s.remaining, 3, "a failed read consumes nothing")
        XCTAssertEqual(s.bytes(2).map(Array.init), [1, 2])
        XCTAssertNil(s.bytes(-1))
        var out: [UInt8] = []
        out.appendLE(UInt32(0x1122_3344)); out.appendLE(UInt16(0xABCD))
        XCTAssertEqual(out, [0x44, 0x33, 0x22, 0x11, 0xCD, 0xAB])
    }
}
