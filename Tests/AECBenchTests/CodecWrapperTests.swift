import AECBench
import AECImage
import XCTest

/// The JPEG and WebP wrappers the bench measures: round trips keep size and channels, bad input is an error.
final class CodecWrapperTests: XCTestCase {
    func testWebPRoundTripsGrayAsRGBWithEqualChannels() throws {
        let gray = Fixtures.smoothImage(width: 28, height: 28, channels: 1)
        let bytes = try WebP.encode(gray, quality: 75)
        XCTAssertEqual(Array(bytes[0..<4]), Array("RIFF".utf8))
        XCTAssertEqual(Array(bytes[8..<12]), Array("WEBP".utf8))
        let decoded = try WebP.decode(bytes)
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [28, 28, 3])
        // The bench's gray: channel 0. Lossy, but close on a smooth image.
        let back = try BenchCodec.webp(quality: 75).decode(bytes, channels: 1)
        XCTAssertEqual([back.width, back.height, back.channels], [28, 28, 1])
        XCTAssertGreaterThan(Quality.psnr(gray, back), 28)
    }

    func testWebPRoundTripsColourAndAlpha() throws {
        let rgb = Fixtures.smoothImage(width: 45, height: 31, channels: 3)
        let decoded = try WebP.decode(WebP.encode(rgb, quality: 90))
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [45, 31, 3])
        XCTAssertGreaterThan(Quality.psnr(rgb, decoded), 25)
        let rgba = Fixtures.smoothImage(width: 17, height: 9, channels: 4)
        let withAlpha = try WebP.decode(WebP.encode(rgba, quality: 50))
        XCTAssertEqual([withAlpha.width, withAlpha.height, withAlpha.channels], [17, 9, 4])
    }

    func testWebPQualityChangesSize() throws {
        let image = Fixtures.randomImage(width: 32, height: 32, channels: 1, seed: 5)
        XCTAssertLessThan(try WebP.encode(image, quality: 10).count, try WebP.encode(image, quality: 90).count)
    }

    /// `-m 6 -segments 1 -sns 0` is a different encoding of the same image, and settings libwebp does not
    /// allow are refused.
    func testWebPSettingsChangeTheEncodingAndAreChecked() throws {
        let image = Fixtures.randomImage(width: 48, height: 40, channels: 3, seed: 9)
        let defaults = try WebP.encode(image, quality: 60), tuned = try WebP.encode(image, quality: 60, settings: .forPSNR)
        XCTAssertNotEqual(defaults, tuned)
        let decoded = try WebP.decode(tuned)
        XCTAssertEqual([decoded.width, decoded.height], [48, 40])
        XCTAssertEqual(BenchCodec.webp(quality: 60, forPSNR: true).curve, BenchCodec.webpForPSNRCurve)
        for bad in [WebP.Settings(method: 7), WebP.Settings(segments: 5), WebP.Settings(snsStrength: 101)] {
            XCTAssertThrowsError(try WebP.encode(image, quality: 60, settings: bad), "\(bad)") {
                XCTAssertEqual(($0 as? ImageIOError)?.kind, .invalidArgument)
            }
        }
    }

    func testWebPRejectsBadInput() throws {
        let good = try WebP.encode(Fixtures.smoothImage(width: 28, height: 28, channels: 3), quality: 50)
        XCTAssertThrowsError(try WebP.decode([])) { XCTAssertEqual(($0 as? ImageIOError)?.kind, .notThisFormat) }
        XCTAssertThrowsError(try WebP.decode(Array("not a webp at all".utf8))) {
            XCTAssertEqual(($0 as? ImageIOError)?.kind, .notThisFormat)
        }
        for cut in [12, 20, 30, good.count / 2, good.count - 1] {
            XCTAssertThrowsError(try WebP.decode(Array(good.prefix(cut))), "cut at \(cut)") {
                XCTAssertEqual(($0 as? ImageIOError)?.kind, .corrupt)
            }
        }
        // Damage after the headers: an error, or (VP8 has no checksum) some image of the right size.
        for offset in stride(from: 30, to: good.count, by: 7) {
            var bad = good
            bad[offset] ^= 0x5A
            if let image = try? WebP.decode(bad) { XCTAssertEqual(image.width, 28) }
        }
        XCTAssertThrowsError(try WebP.decode(good, maxPixels: 100)) { XCTAssertEqual(($0 as? ImageIOError)?.kind, .tooLarge) }
        XCTAssertThrowsError(try WebP.encode(Fixtures.smoothImage(width: 8, height: 8, channels: 1), quality: 101)) {
            XCTAssertEqual(($0 as? ImageIOError)?.kind, .invalidArgument)
        }
        XCTAssertThrowsError(try WebP.encode(Fixtures.smoothImage(width: 8, height: 8, channels: 1), quality: -1))
        XCTAssertThrowsError(try WebP.encode(Image(width: 16384, height: 1, channels: 1,
                                                   samples: [UInt8](repeating: 0, count: 16384)), quality: 50)) {
            XCTAssertEqual(($0 as? ImageIOError)?.kind, .invalidArgument)
        }
    }

    func testJPEGRoundTripsGrayAndColour() throws {
        let gray = Fixtures.smoothImage(width: 28, height: 28, channels: 1)
        let g = try JPEG.decode(JPEG.encode(gray, quality: 50, optimizeHuffman: false))
        XCTAssertEqual([g.width, g.height, g.channels], [28, 28, 1])
        let rgb = Fixtures.smoothImage(width: 33, height: 21, channels: 3)
        let c = try BenchCodec.jpeg(quality: 75, optimizedHuffman: true).decode(
            BenchCodec.jpeg(quality: 75, optimizedHuffman: true).encode(rgb), channels: 3)
        XCTAssertEqual([c.width, c.height, c.channels], [33, 21, 3])
        XCTAssertGreaterThan(Quality.psnr(rgb, c), 25)
    }

    func testJPEGGrayIsOneComponentAndColourIs420() throws {
        // SOF0 (FF C0): length, precision, height, width, components, then per component id, sampling, table.
        func frame(_ bytes: [UInt8]) -> [UInt8]? {
            guard let i = (0..<(bytes.count - 1)).first(where: { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 }) else { return nil }
            return Array(bytes[(i + 2)...])
        }
        let gray = try XCTUnwrap(frame(JPEG.encode(Fixtures.smoothImage(width: 28, height: 28, channels: 1), quality: 50, optimizeHuffman: false)))
        XCTAssertEqual(gray[7], 1, "one component")
        let colour = try XCTUnwrap(frame(JPEG.encode(Fixtures.smoothImage(width: 28, height: 28, channels: 3), quality: 50, optimizeHuffman: false)))
        XCTAssertEqual(colour[7], 3)
        XCTAssertEqual([colour[9], colour[12], colour[15]], [0x22, 0x11, 0x11], "4:2:0: luma 2×2, chroma 1×1")
    }

    func testJPEGRejectsBadInput() throws {
        let good = try JPEG.encode(Fixtures.smoothImage(width: 28, height: 28, channels: 1), quality: 50, optimizeHuffman: false)
        XCTAssertThrowsError(try JPEG.decode([]))
        XCTAssertThrowsError(try JPEG.decode([0x89, 0x50, 0x4E, 0x47])) { XCTAssertEqual(($0 as? ImageIOError)?.kind, .notThisFormat) }
        for cut in [2, 20, good.count / 2, good.count - 2] {
            XCTAssertThrowsError(try JPEG.decode(Array(good.prefix(cut))), "cut at \(cut)") {
                XCTAssertEqual(($0 as? ImageIOError)?.kind, .corrupt)
            }
        }
        XCTAssertThrowsError(try BenchCodec.jpeg(quality: 50, optimizedHuffman: false).encode(
            Fixtures.smoothImage(width: 8, height: 8, channels: 4)))
    }

    func testLibraryVersionsAreReported() {
        XCTAssertTrue(WebP.libraryVersion.first?.isNumber ?? false, WebP.libraryVersion)
        XCTAssertTrue(JPEG.libraryVersion.contains("libjpeg"), JPEG.libraryVersion)
    }
}
