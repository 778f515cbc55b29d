import AECBase
import AECNet
import XCTest
@testable import AECImage

final class JPEGTests: XCTestCase {
    /// A smooth diagonal gradient, per channel offset.
    static func gradient(width: Int, height: Int, channels: Int) -> Image {
        var samples: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { samples.append(UInt8((x * 2 + y + c * 40) % 256)) }
            }
        }
        return Image(width: width, height: height, channels: channels, samples: samples)
    }

    /// The component sampling factors of the frame header (SOF0 only: a baseline JPEG).
    func baselineSampling(_ bytes: [UInt8]) -> [UInt8]? {
        var i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1]
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            if marker == 0xC0 {
                let components = Int(bytes[i + 9])
                return (0..<components).map { bytes[i + 11 + 3 * $0] }
            }
            if (0xC1...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC { return nil }
            i += 2 + length
        }
        return nil
    }

    func testGrayRoundTrip() throws {
        let image = Self.gradient(width: 64, height: 48, channels: 1)
        let bytes = try JPEG.encode(image, quality: 90, optimizeHuffman: false)
        XCTAssertEqual(Array(bytes.prefix(2)), [0xFF, 0xD8])
        XCTAssertEqual(baselineSampling(bytes), [0x11], "one component")
        let decoded = try JPEG.decode(bytes)
        XCTAssertEqual(decoded.channels, 1)
        XCTAssertEqual(decoded.width, 64)
        XCTAssertEqual(decoded.height, 48)
        XCTAssertGreaterThan(Quality.psnr(image, decoded), 30)
    }

    func testColourRoundTripIsYCbCr420() throws {
        let image = Self.gradient(width: 64, height: 48, channels: 3)
        let bytes = try JPEG.encode(image, quality: 90, optimizeHuffman: true)
        XCTAssertEqual(baselineSampling(bytes), [0x22, 0x11, 0x11])
        let decoded = try JPEG.decode(bytes)
        XCTAssertEqual(decoded.channels, 3)
        XCTAssertGreaterThan(Quality.psnr(image, decoded), 30)
    }

    func testQualityAndHuffmanChangeSize() throws {
        let image = PNGTests.pattern(width: 64, height: 64, channels: 3)
        let low = try JPEG.encode(image, quality: 10, optimizeHuffman: false)
        let high = try JPEG.encode(image, quality: 95, optimizeHuffman: false)
        let optimized = try JPEG.encode(image, quality: 95, optimizeHuffman: true)
        XCTAssertLessThan(low.count, high.count)
        XCTAssertLessThan(optimized.count, high.count)
        XCTAssertEqual(try JPEG.decode(optimized), try JPEG.decode(high), "Huffman tables do not change pixels")
    }

    func testInvalidArguments() {
        let rgba = PNGTests.pattern(width: 4, height: 4, channels: 4)
        XCTAssertThrowsError(try JPEG.encode(rgba, quality: 90, optimizeHuffman: false)) { error in
            XCTAssertEqual((error as? ImageIOError)?.kind, .invalidArgument)
        }
        let gray = PNGTests.pattern(width: 4, height: 4, channels: 1)
        for quality in [0, 101] {
            XCTAssertThrowsError(try JPEG.encode(gray, quality: quality, optimizeHuffman: false)) { error in
                XCTAssertEqual("\(error)", "JPEG quality \(quality) is outside 1...100")
            }
        }
    }

    func testBadInput() throws {
        XCTAssertThrowsError(try JPEG.decode(Array("GIF89a".utf8))) { error in
            XCTAssertEqual("\(error)", "not a JPEG file (starts with 0x47 0x49)")
        }
        XCTAssertThrowsError(try JPEG.decode([])) { error in
            XCTAssertEqual((error as? ImageIOError)?.kind, .notThisFormat)
        }
        let bytes = try JPEG.encode(Self.gradient(width: 32, height: 32, channels: 3), quality: 80, optimizeHuffman: false)
        for length in [2, 20, bytes.count / 2, bytes.count - 2] {
            XCTAssertThrowsError(try JPEG.decode(Array(bytes.prefix(length))), "length \(length)") { error in
                XCTAssertEqual((error as? ImageIOError)?.kind, .corrupt, "\(error)")
                XCTAssertTrue("\(error)".hasPrefix("corrupt JPEG: "), "\(error)")
            }
        }
        XCTAssertThrowsError(try JPEG.decode(bytes, maxPixels: 100)) { error in
            XCTAssertEqual("\(error)", "image too large: 32x32 pixels exceeds the limit of 100 pixels")
        }
    }

    func testRandomDamageNeverCrashes() throws {
        let original = try JPEG.encode(Self.gradient(width: 40, height: 24, channels: 3), quality: 75, optimizeHuffman: true)
        var random = SplitMix64(seed: 11)
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<3 { bytes[Int.random(in: 2..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
            _ = try? JPEG.decode(bytes, maxPixels: 1 << 20)
        }
    }
}
