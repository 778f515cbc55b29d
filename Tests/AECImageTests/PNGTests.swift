import AECBase
import AECNet
import XCTest
@testable import AECImage

final class PNGTests: XCTestCase {
    /// A deterministic test pattern with every sample value and some structure.
    static func pattern(width: Int, height: Int, channels: Int) -> Image {
        var samples: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { samples.append(UInt8(truncatingIfNeeded: x * 7 + y * 13 + c * 101 + x * y)) }
            }
        }
        return Image(width: width, height: height, channels: channels, samples: samples)
    }

    func decodeError(_ bytes: [UInt8], maxPixels: Int = Image.defaultMaxPixels,
                     file: StaticString = #filePath, line: UInt = #line) -> ImageIOError? {
        do {
            let image = try PNG.decode(bytes, maxPixels: maxPixels)
            XCTFail("decoded a \(image.width)x\(image.height) image from bad data", file: file, line: line)
            return nil
        } catch let error as ImageIOError {
            XCTAssertFalse(error.description.isEmpty, file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), "one line: \(error)", file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected error type: \(error)", file: file, line: line)
            return nil
        }
    }

    // MARK: Round trips

    func testRoundTripOneToFourChannels() throws {
        for channels in 1...4 {
            let image = Self.pattern(width: 37, height: 23, channels: channels)
            let bytes = try PNG.encode(image)
            XCTAssertEqual(Array(bytes.prefix(8)), PNGBuilder.signature)
            XCTAssertEqual(try PNG.decode(bytes), image, "channels \(channels)")
        }
    }

    func testRoundTripOnePixel() throws {
        let image = Image(width: 1, height: 1, channels: 3, samples: [1, 2, 3])
        XCTAssertEqual(try PNG.decode(PNG.encode(image)), image)
    }

    func testWriteAndReadFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aec-png-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("x.png").path
        let image = Self.pattern(width: 5, height: 4, channels: 2)
        try PNG.write(image, to: path)
        XCTAssertEqual(try PNG.read(contentsOf: path), image)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["x.png"], "no temporary left")
    }

    func testReadMissingFileNamesPathAndCause() {
        XCTAssertThrowsError(try PNG.read(contentsOf: "/nonexistent/x.png")) { error in
            XCTAssertEqual((error as? ImageIOError)?.kind, .fileSystem)
            XCTAssertEqual("\(error)", "cannot read '/nonexistent/x.png': No such file or directory")
        }
    }

    func testWriteToMissingDirectoryFails() {
        XCTAssertThrowsError(try PNG.write(Self.pattern(width: 2, height: 2, channels: 1), to: "/nonexistent/y.png")) { error in
            XCTAssertEqual("\(error)", "cannot write '/nonexistent/y.png': No such file or directory")
        }
    }

    // MARK: PNG types

    func testPalette() throws {
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]
        let bytes = PNGBuilder.png(width: 4, height: 2, bitDepth: 8, colorType: 3, rows: [[0, 1, 2, 3], [3, 2, 1, 0]],
                                   chunksBeforeIDAT: [("PLTE", palette)])
        let image = try PNG.decode(bytes)
        XCTAssertEqual(image.channels, 3)
        XCTAssertEqual(Array(image.samples.prefix(12)), palette)
        XCTAssertEqual(Array(image.samples.suffix(3)), [255, 0, 0])
    }

    func testFourBitPaletteWithTransparency() throws {
        let palette: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        // Indices 0, 1, 2, 1 packed two per byte; tRNS covers entries 0 and 1 only.
        let bytes = PNGBuilder.png(width: 4, height: 1, bitDepth: 4, colorType: 3, rows: [[0x01, 0x21]],
                                   chunksBeforeIDAT: [("PLTE", palette), ("tRNS", [0, 128])])
        let image = try PNG.decode(bytes)
        XCTAssertEqual(image.channels, 4)
        XCTAssertEqual(image.samples, [1, 2, 3, 0, 4, 5, 6, 128, 7, 8, 9, 255, 4, 5, 6, 128])
    }

    func testSixteenBitGrayIsRoundedExactly() throws {
        // All 65536 values: 256 rows of 256 big-endian samples.
        let rows = (0..<256).map { y in (0..<256).flatMap { x in [UInt8(y), UInt8(x)] } }
        let image = try PNG.decode(PNGBuilder.png(width: 256, height: 256, bitDepth: 16, colorType: 0, rows: rows))
        XCTAssertEqual(image.channels, 1)
        for v in 0..<65536 {
            let expected = UInt8((v * 255 + 65535 / 2) / 65535)  // round(v * 255 / 65535); no ties exist
            if image.samples[v] != expected { XCTFail("16-bit \(v) → \(image.samples[v]), expected \(expected)"); break }
        }
        // A few by hand: 128/257 = 0.498 → 0, 129/257 = 0.502 → 1, 32767 → 127, 32768 → 128 (strip_16 gives 127).
        XCTAssertEqual([128, 129, 257, 32767, 32768, 65406, 65535].map { image.samples[$0] }, [0, 1, 1, 127, 128, 254, 255])
    }

    func testSixteenBitRGBA() throws {
        let row: [UInt8] = [0xFF, 0xFF, 0x80, 0x00, 0x00, 0x80, 0x7F, 0xFF]
        let image = try PNG.decode(PNGBuilder.png(width: 1, height: 1, bitDepth: 16, colorType: 6, rows: [row]))
        XCTAssertEqual(image.samples, [255, 128, 0, 127])
    }

    func testLowBitDepthGrayIsScaledExactly() throws {
        // 1-bit: 1 0 1 1 0 (padded to a byte).
        var image = try PNG.decode(PNGBuilder.png(width: 5, height: 1, bitDepth: 1, colorType: 0, rows: [[0b1011_0000]]))
        XCTAssertEqual(image.samples, [255, 0, 255, 255, 0])
        // 2-bit: 0 1 2 3.
        image = try PNG.decode(PNGBuilder.png(width: 4, height: 1, bitDepth: 2, colorType: 0, rows: [[0b0001_1011]]))
        XCTAssertEqual(image.samples, [0, 85, 170, 255])
        // 4-bit: 0 5 15.
        image = try PNG.decode(PNGBuilder.png(width: 3, height: 1, bitDepth: 4, colorType: 0, rows: [[0x05, 0xF0]]))
        XCTAssertEqual(image.samples, [0, 85, 255])
    }

    func testGrayWithTransparencyGainsAlpha() throws {
        let bytes = PNGBuilder.png(width: 3, height: 1, bitDepth: 8, colorType: 0, rows: [[7, 8, 7]],
                                   chunksBeforeIDAT: [("tRNS", [0, 7])])
        let image = try PNG.decode(bytes)
        XCTAssertEqual(image.channels, 2)
        XCTAssertEqual(image.samples, [7, 0, 8, 255, 7, 0])
    }

    func testRGBWithTransparencyGainsAlpha() throws {
        let bytes = PNGBuilder.png(width: 2, height: 1, bitDepth: 8, colorType: 2, rows: [[1, 2, 3, 1, 2, 4]],
                                   chunksBeforeIDAT: [("tRNS", [0, 1, 0, 2, 0, 3])])
        XCTAssertEqual(try PNG.decode(bytes).samples, [1, 2, 3, 0, 1, 2, 4, 255])
    }

    func testGrayAlphaStaysTwoChannels() throws {
        let image = try PNG.decode(PNGBuilder.png(width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[9, 100, 10, 200]]))
        XCTAssertEqual(image.channels, 2)
        XCTAssertEqual(image.samples, [9, 100, 10, 200])
    }

    func testGammaChunkIsIgnored() throws {
        let bytes = PNGBuilder.png(width: 3, height: 1, bitDepth: 8, colorType: 0, rows: [[0, 100, 255]],
                                   chunksBeforeIDAT: [("gAMA", PNGBuilder.be32(100_000))])
        XCTAssertEqual(try PNG.decode(bytes).samples, [0, 100, 255])
    }

    func testInterlacedMatchesProgressive() throws {
        for channels in [1, 3] {
            let image = Self.pattern(width: 11, height: 9, channels: channels)
            let rows = (0..<image.height).map { y in
                Array(image.samples[y * image.width * channels..<(y + 1) * image.width * channels])
            }
            let bytes = PNGBuilder.png(width: image.width, height: image.height, bitDepth: 8,
                                       colorType: channels == 1 ? 0 : 2, rows: rows, interlaced: true,
                                       bytesPerPixel: channels)
            XCTAssertEqual(bytes[8 + 8 + 12], 1, "interlace flag set")
            XCTAssertEqual(try PNG.decode(bytes), image)
        }
    }

    // MARK: Bad input

    func testNotAPNG() {
        let gif = Array("GIF89a\u{1}\u{0}\u{1}\u{0}".utf8)
        let error = decodeError(gif)
        XCTAssertEqual(error?.kind, .notThisFormat)
        XCTAssertEqual(error?.description, "not a PNG file (starts with 0x47 0x49 0x46 0x38)")
    }

    /// PngSuite's damaged signatures: CR/LF translations are named as such, other damage generically, and a
    /// file that does not start with 0x89 "PNG" is not a PNG at all.
    func testDamagedSignaturesSayWhatIsWrong() throws {
        let body = Array(try PNG.encode(Self.pattern(width: 4, height: 4, channels: 1)).dropFirst(8))
        // CR LF → LF; LF → CR LF; an LF added after the CR. (The tails replace CR LF ^Z LF.)
        let converted: [[UInt8]] = [[0x0A, 0x1A, 0x0A], [0x0D, 0x0D, 0x0A, 0x1A, 0x0D, 0x0A], [0x0D, 0x0A, 0x0A, 0x1A, 0x0A]]
        for tail in converted {
            let error = decodeError([0x89, 0x50, 0x4E, 0x47] + tail + body)
            XCTAssertEqual(error?.kind, .corrupt)
            XCTAssertTrue(error?.description.contains("line endings were converted") == true, "\(String(describing: error))")
        }
        let spaced = decodeError([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x20, 0x0A] + body)  // like xs7n0g01
        XCTAssertEqual(spaced?.kind, .corrupt)
        XCTAssertEqual(spaced?.description, "corrupt PNG: damaged PNG signature (0x89 0x50 0x4E 0x47 0x0D 0x0A 0x20 0x0A)")
        let lowercase = decodeError([0x89, 0x50, 0x4E, 0x67, 0x0D, 0x0A, 0x1A, 0x0A] + body)  // like xs4n0g01
        XCTAssertEqual(lowercase?.kind, .notThisFormat)
    }

    func testEmptyInput() {
        let error = decodeError([])
        XCTAssertEqual(error?.kind, .notThisFormat)
        XCTAssertEqual(error?.description, "not a PNG file (empty)")
    }

    func testTruncatedAtManyLengths() throws {
        let bytes = try PNG.encode(Self.pattern(width: 40, height: 30, channels: 3))
        for length in [1, 7, 8, 12, 20, 33, 40, bytes.count / 2, bytes.count - 13, bytes.count - 12, bytes.count - 1] {
            let error = decodeError(Array(bytes.prefix(length)))
            if length < 4 {
                XCTAssertEqual(error?.kind, .notThisFormat, "length \(length)")
            } else {
                XCTAssertEqual(error?.kind, .corrupt, "length \(length)")
                XCTAssertTrue(error?.description.hasPrefix("corrupt PNG: ") ?? false, "\(String(describing: error))")
            }
        }
        XCTAssertEqual(decodeError(Array(bytes.prefix(bytes.count / 2)))?.description,
                       "corrupt PNG: file is truncated (unexpected end of data after \(bytes.count / 2) bytes)")
    }

    func testFlippedByteInIDATIsACRCError() throws {
        var bytes = try PNG.encode(Self.pattern(width: 16, height: 16, channels: 1))
        let idat = try XCTUnwrap(firstIndex(of: "IDAT", in: bytes))
        bytes[idat + 10] ^= 0x40
        XCTAssertEqual(decodeError(bytes)?.description, "corrupt PNG: IDAT: CRC error")
    }

    func testBadCRCInIHDR() throws {
        var bytes = try PNG.encode(Self.pattern(width: 4, height: 4, channels: 1))
        bytes[29] ^= 1  // last CRC byte of IHDR
        XCTAssertEqual(decodeError(bytes)?.description, "corrupt PNG: IHDR: CRC error")
    }

    func testBadZlibDataWithValidCRC() {
        // A valid chunk whose payload is not a zlib stream.
        var bytes = PNGBuilder.signature
        bytes += PNGBuilder.chunk("IHDR", PNGBuilder.be32(4) + PNGBuilder.be32(4) + [8, 0, 0, 0, 0])
        bytes += PNGBuilder.chunk("IDAT", [0x12, 0x34, 0x56, 0x78, 0x9A]) + PNGBuilder.chunk("IEND", [])
        let error = decodeError(bytes)
        XCTAssertEqual(error?.kind, .corrupt)
        XCTAssertTrue(error?.description.hasPrefix("corrupt PNG: ") ?? false)
    }

    func testHugeImageIsRejectedBeforeAllocating() {
        let bytes = PNGBuilder.png(width: 100_000, height: 100_000, bitDepth: 8, colorType: 6, rows: [[0]])
        let start = Date()
        let error = decodeError(bytes)
        XCTAssertEqual(error?.kind, .tooLarge)
        XCTAssertEqual(error?.description, "image too large: 100000x100000 pixels exceeds the limit of 100000000 pixels")
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        XCTAssertEqual(decodeError(PNGBuilder.png(width: 10, height: 10, bitDepth: 8, colorType: 0, rows: []),
                                   maxPixels: 99)?.kind, .tooLarge)
    }

    func testZeroWidthIsRejected() {
        let bytes = PNGBuilder.png(width: 0, height: 5, bitDepth: 8, colorType: 0, rows: [])
        let error = decodeError(bytes)
        XCTAssertEqual(error?.kind, .corrupt)
        XCTAssertTrue(error?.description.contains("width") ?? false, "\(String(describing: error))")
    }

    func testMissingRowsAreAnError() {
        // IHDR says 4 rows, IDAT holds 2.
        let bytes = PNGBuilder.png(width: 3, height: 4, bitDepth: 8, colorType: 0, rows: [[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(decodeError(bytes)?.kind, .corrupt)
    }

    /// Random damage, with and without repaired CRCs (so that damage reaches zlib and the filters),
    /// must give an image or an error — never a crash or a hang.
    func testRandomDamageNeverCrashes() throws {
        let original = try PNG.encode(Self.pattern(width: 24, height: 20, channels: 4))
        var random = SplitMix64(seed: 7)
        var errors = 0
        for trial in 0..<600 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                bytes[Int.random(in: 8..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if trial % 2 == 0 { bytes = repairCRCs(bytes) }
            if trial % 7 == 0 { bytes = Array(bytes.prefix(Int.random(in: 8..<bytes.count, using: &random))) }
            do { _ = try PNG.decode(bytes, maxPixels: 1 << 20) } catch is ImageIOError { errors += 1 }
        }
        XCTAssertGreaterThan(errors, 0)
    }

    private func firstIndex(of type: String, in bytes: [UInt8]) -> Int? {
        let pattern = Array(type.utf8)
        return (0...(bytes.count - pattern.count)).first { Array(bytes[$0..<$0 + pattern.count]) == pattern }
    }

    /// Recomputes every chunk CRC that can be found by walking the chunk lengths.
    private func repairCRCs(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        var position = 8
        while position + 12 <= bytes.count {
            let length = bytes[position..<position + 4].reduce(0) { $0 << 8 | Int($1) }
            let end = position + 8 + length
            guard length >= 0, end + 4 <= bytes.count else { break }
            let crc = PNGBuilder.crc32(Array(bytes[position + 4..<end]))
            bytes.replaceSubrange(end..<end + 4, with: PNGBuilder.be32(Int(crc)))
            position = end + 4
        }
        return bytes
    }
}
