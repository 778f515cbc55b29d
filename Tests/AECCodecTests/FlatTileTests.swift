@testable import AECCodec
import AECBase
import AECImage
import XCTest

/// Flat tiles (format version 3): a tile whose samples are all equal is coded exactly, so flat images of
/// any colour come back within ±2 levels — the network alone drew a 1×1 pure blue pixel as (0, 86, 0).
final class FlatTileTests: XCTestCase {
    /// Flat tiles are the tile path's (format version 3); whole-image files flag flat planes instead
    /// (WholeImageCodecTests).
    static var tiles: EncodeOptions {
        var options = EncodeOptions()
        options.wholeImage = false
        return options
    }

    let codec = Codec(model: TestModels.tiny)

    static let colours: [[UInt8]] = [
        [0, 0, 0], [255, 255, 255], [0, 0, 255], [255, 0, 0], [0, 255, 0], [255, 255, 0],
        [128, 64, 200], [17, 240, 3], [77, 77, 77], [1, 254, 128],
    ]
    static let sizes: [(Int, Int)] = [(1, 1), (1, 9), (9, 1), (2, 3), (27, 29), (56, 56), (100, 3), (3, 61)]

    static func flat(_ colour: [UInt8], width: Int, height: Int, alpha: UInt8? = nil) -> Image {
        let pixel = colour + (alpha.map { [$0] } ?? [])
        return Image(width: width, height: height, channels: pixel.count,
                     samples: Array((0..<(width * height)).map { _ in pixel }.joined()))
    }

    /// The largest difference of any colour sample (alpha must match exactly).
    static func worstError(_ a: Image, _ b: Image) -> Int {
        precondition(a.width == b.width && a.height == b.height)
        let colours = max(a.channels >= 3 ? 3 : 1, b.channels >= 3 ? 3 : 1)
        var worst = 0
        for i in 0..<(a.width * a.height) {
            for c in 0..<colours {
                let x = Int(a.samples[i * a.channels + (a.channels >= 3 ? c : 0)])
                let y = Int(b.samples[i * b.channels + (b.channels >= 3 ? c : 0)])
                worst = max(worst, abs(x - y))
            }
            if a.hasAlpha { XCTAssertEqual(a.samples[i * a.channels + a.channels - 1], b.samples[i * b.channels + b.channels - 1]) }
        }
        return worst
    }

    func testFlatImagesOfAnyColourAndSizeComeBackWithinTwoLevels() throws {
        for colour in Self.colours {
            for (w, h) in Self.sizes {
                for half in [false, true] {
                    let image = Self.flat(colour, width: w, height: h)
                    var options = Self.tiles
                    options.halfResolutionChroma = half
                    let decoded = try codec.decode(codec.encode(image, options: options).bytes)
                    XCTAssertLessThanOrEqual(Self.worstError(image, decoded), 2, "\(colour) \(w)×\(h) 4:2:0 \(half)")
                }
            }
        }
    }

    func testGrayAndAlphaFlatImages() throws {
        for level: UInt8 in [0, 1, 100, 254, 255] {
            let gray = Image(width: 5, height: 40, channels: 1, samples: [UInt8](repeating: level, count: 200))
            XCTAssertEqual(try codec.decode(codec.encode(gray, options: Self.tiles).bytes), gray, "gray \(level): 8-bit levels are exact")
            let withAlpha = Self.flat([level, 255 - level, 30], width: 31, height: 2, alpha: 100)
            XCTAssertLessThanOrEqual(Self.worstError(withAlpha, try codec.decode(codec.encode(withAlpha, options: Self.tiles).bytes)), 2)
        }
    }

    func testAFlatOnePixelImageCostsAFewBytes() throws {
        let bytes = try codec.encode(Self.flat([0, 0, 255], width: 1, height: 1), options: Self.tiles).bytes
        // Header 8 + CRC 4 + three planes × (12-bit flag + 10-bit level) = 66 bits → 9 bytes at most.
        XCTAssertLessThanOrEqual(bytes.count, 12 + 9)
    }

    func testOnlyFlatTilesTakeTheFlatPath() throws {
        // A 56×28 image: the left tile flat, the right one a ramp; the left comes back exact, the right
        // through the network (not flat).
        var samples = [UInt8](repeating: 90, count: 56 * 28)
        for y in 0..<28 { for x in 28..<56 { samples[y * 56 + x] = UInt8(x * 4) } }
        let image = Image(width: 56, height: 28, channels: 1, samples: samples)
        let decoded = try codec.decode(codec.encode(image, options: Self.tiles).bytes)
        for y in 0..<28 { for x in 0..<28 { XCTAssertEqual(decoded.samples[y * 56 + x], 90) } }
        let right = (0..<28).flatMap { y in (28..<56).map { decoded.samples[y * 56 + $0] } }
        XCTAssertGreaterThan(Set(right).count, 1, "the ramp tile went through the network")
    }

    func testVersionTwoFilesHaveNoFlatTiles() throws {
        var options = Self.tiles
        options.formatVersion = 2
        let image = Self.flat([255, 255, 255], width: 56, height: 56)
        let v2 = try codec.encode(image, options: options).bytes
        XCTAssertEqual(try AECFile(bytes: v2, maxPixels: 1 << 20).formatVersion, 2)
        let v3 = try codec.encode(image, options: Self.tiles).bytes
        XCTAssertLessThan(v3.count, v2.count, "flat tiles are cheaper than the network's code")
        _ = try codec.decode(v2)
    }
}
