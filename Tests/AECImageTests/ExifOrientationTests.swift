import AECImage
import XCTest

/// JPEG input: the format told by the first bytes, and the Exif orientation applied.
final class ExifOrientationTests: XCTestCase {
    /// An APP1 Exif segment with IFD0 holding one entry, Orientation = `value`, in either byte order.
    static func exifSegment(orientation value: UInt16, littleEndian: Bool) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] { littleEndian ? u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16)) : u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF)) }
        let tiff = (littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]) + u16(42) + u32(8)
            + u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(value) + [0, 0] + u32(0)
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    /// A JPEG of `image` with an Exif orientation segment right after SOI.
    static func jpeg(_ image: Image, orientation: UInt16, littleEndian: Bool = true) throws -> [UInt8] {
        let plain = try JPEG.encode(image, quality: 95, optimizeHuffman: false)
        return Array(plain[0..<2]) + exifSegment(orientation: orientation, littleEndian: littleEndian) + Array(plain[2...])
    }

    /// A 3×2 image whose six pixels are 0, 50, …, 250 (gray), so every turn is visible.
    static let stored = Image(width: 3, height: 2, channels: 1, samples: [0, 50, 100, 150, 200, 250])

    func testEveryOrientationTurnsTheImageUpright() {
        // Upright views of `stored` (rows top to bottom) for orientations 1…8.
        let expected: [Int: (Int, Int, [UInt8])] = [
            1: (3, 2, [0, 50, 100, 150, 200, 250]),
            2: (3, 2, [100, 50, 0, 250, 200, 150]),
            3: (3, 2, [250, 200, 150, 100, 50, 0]),
            4: (3, 2, [150, 200, 250, 0, 50, 100]),
            5: (2, 3, [0, 150, 50, 200, 100, 250]),
            6: (2, 3, [150, 0, 200, 50, 250, 100]),
            7: (2, 3, [250, 100, 200, 50, 150, 0]),
            8: (2, 3, [100, 250, 50, 200, 0, 150]),
        ]
        for (orientation, (w, h, samples)) in expected {
            let upright = Self.stored.oriented(orientation)
            XCTAssertEqual([upright.width, upright.height], [w, h], "orientation \(orientation)")
            XCTAssertEqual(upright.samples, samples, "orientation \(orientation)")
        }
    }

    func testOrientationIsReadFromTheExifSegmentInBothByteOrders() throws {
        let image = Image(width: 16, height: 8, channels: 3, samples: (0..<(16 * 8 * 3)).map { UInt8($0 % 251) })
        for little in [true, false] {
            for value: UInt16 in [1, 3, 6, 8] {
                let bytes = try Self.jpeg(image, orientation: value, littleEndian: little)
                XCTAssertEqual(ExifOrientation.of(jpeg: bytes), Int(value))
                let decoded = try ImageInput.decode(bytes)
                XCTAssertEqual([decoded.width, decoded.height], value >= 5 ? [8, 16] : [16, 8], "orientation \(value)")
            }
        }
        XCTAssertNil(ExifOrientation.of(jpeg: try JPEG.encode(image, quality: 90, optimizeHuffman: false)), "no Exif: as stored")
        XCTAssertEqual(ImageInput.format(of: try JPEG.encode(image, quality: 90, optimizeHuffman: false)), .jpeg)
    }

    func testNeitherPNGNorJPEGIsRefused() {
        XCTAssertThrowsError(try ImageInput.decode(Array("GIF89a....".utf8))) {
            XCTAssertEqual("\($0)", "not a PNG or JPEG file (starts with 0x47 0x49 0x46 0x38)")
        }
        XCTAssertThrowsError(try ImageInput.decode([])) { XCTAssertEqual("\($0)", "not a PNG or JPEG file (empty)") }
    }
}
