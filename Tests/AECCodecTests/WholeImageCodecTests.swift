@testable import AECCodec
import AECBase
import AECImage
import AECNet
import AECTestSupport
import XCTest

/// Format version 5: planes coded whole (`Codec.encodeWholePlanes`, `decodeWholeImage`).
final class WholeImageCodecTests: XCTestCase {
    let codec = Codec(model: TestModels.tiny)

    func encode(_ image: Image, bits: Int = 6, half: Bool = false, jobs: Int = 1, whole: Bool? = true) throws -> [UInt8] {
        var options = EncodeOptions()
        options.bits = bits
        options.halfResolutionChroma = half
        options.jobs = jobs
        options.wholeImage = whole
        return try codec.encode(image, options: options).bytes
    }

    func testRoundTripsKeepSizeAndChannelsAndAreTheNetworkOnTheQuantizedCode() throws {
        for (w, h, c) in [(1, 1, 1), (37, 1, 1), (1, 37, 3), (29, 29, 4), (61, 45, 3), (30, 30, 2)] {
            for half in [false, true] {
                let image = TestModels.image(width: w, height: h, channels: c)
                let bytes = try encode(image, half: half)
                let file = try AECFile(bytes: bytes, maxPixels: 1 << 20)
                XCTAssertEqual(file.formatVersion, 5)
                let decoded = try codec.decode(bytes)
                XCTAssertEqual([decoded.width, decoded.height], [w, h])
                // The same channels as the tile path gives (alpha kept unless opaque, R = G = B as gray).
                XCTAssertEqual(decoded.channels, try codec.decode(encode(image, half: half, whole: false)).channels)
            }
        }
        // Gray: the decoded samples are the network (the codec's integer encoder and decoder) run over the whole
        // plane on the quantized code, plus the plane's offset (the mean error of that, rounded to 1/1023).
        let image = TestModels.image(width: 45, height: 33, channels: 1)
        let plane = image.samples.map { Float($0) / 255 }
        let network = WholePlaneNetwork(codec.model.network, decoder: codec.model.decoder, encoder: codec.model.encoder)
        let q = CodeQuantizer(bits: 5)
        let code = network.encode(plane: plane, width: 45, height: 33, jobs: 1).map { q.value(q.symbol($0)) }
        let drawn = network.decode(code: code, width: 45, height: 33, jobs: 1)
        let offset = Codec.offsetValue(Codec.offsetSymbol(original: plane, drawn: drawn))
        XCTAssertNotEqual(offset, 0, "the untrained network's planes are off")
        let expected = drawn.map { ColorTransform.to8Bit(255 * ($0 + offset)) }
        XCTAssertEqual(try codec.decode(encode(image, bits: 5)).samples, expected)
        // The offset makes the decoded mean the original's, within rounding.
        let mean = { (values: [Float]) in values.reduce(0, +) / Float(values.count) }
        XCTAssertEqual(mean(drawn.map { $0 + offset }), mean(plane), accuracy: 1 / 1023)
    }

    func testTheSameBytesAndPixelsForAnyNumberOfJobs() throws {
        let image = TestModels.image(width: 150, height: 97, channels: 3)
        let one = try encode(image, half: true, jobs: 1), two = try encode(image, half: true, jobs: 2)
        XCTAssertEqual(one, two)
        XCTAssertEqual(try codec.decode(one, jobs: 1), try codec.decode(one, jobs: 2))
    }

    func testFlatPlanesComeBackWithinTwoLevels() throws {
        for colour in [[0, 0, 255], [255, 255, 255], [200, 30, 90]] as [[UInt8]] {
            for (w, h) in [(1, 1), (56, 56), (3, 70)] {
                let image = Image(width: w, height: h, channels: 3, samples: Array((0..<(w * h)).map { _ in colour }.joined()))
                let decoded = try codec.decode(encode(image, half: true))
                for i in 0..<(w * h) {
                    for k in 0..<3 {
                        let back = decoded.channels == 1 ? decoded.samples[i] : decoded.samples[i * 3 + k]
                        XCTAssertLessThanOrEqual(abs(Int(back) - Int(colour[k])), 2, "\(colour) \(w)×\(h)")
                    }
                }
            }
        }
    }

    func testEveryTruncationIsCaughtAndAShortPayloadIsRefusedBeforeDecoding() throws {
        let bytes = try encode(TestModels.image(width: 40, height: 30, channels: 4))
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try codec.decode(Array(bytes.prefix(n))), "truncated to \(n) bytes")
        }
        // A valid header claiming 4,000 × 4,000 pixels with a 3-byte payload: refused by its length.
        var file = try AECFile(bytes: bytes, maxPixels: 1 << 20)
        file.width = 4000; file.height = 4000; file.alpha = nil; file.payload = [1, 2, 3]
        XCTAssertThrowsError(try codec.decode(file.serialized())) { XCTAssertEqual($0 as? CodecError, .truncated) }
        // More pixels than a version-5 file may hold: refused before anything else.
        file.width = 5000; file.height = 4000; file.payload = [UInt8](repeating: 0x55, count: 100_000)
        XCTAssertThrowsError(try codec.decode(file.serialized())) {
            XCTAssertTrue("\($0)".contains("at most 16777216 pixels"), "\($0)")
        }
    }

    /// The choice without `wholeImage`: one tile → tiles; otherwise whichever reconstructs a sample better.
    func testTheChoiceFollowsTheSample() throws {
        let shipped = Codec(model: try ShippedModels.default())
        func version(_ image: Image) throws -> Int {
            try AECFile(bytes: shipped.encode(image).bytes, maxPixels: 1 << 30).formatVersion
        }
        XCTAssertEqual(try version(TestModels.image(width: 28, height: 28, channels: 1)), 3)
        // Fashion-MNIST pictures on the tile grid: tiles win; a smooth picture: the whole plane wins.
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples")
        XCTAssertEqual(try version(PNG.read(contentsOf: samples.appendingPathComponent("mosaic-280x280.png").path)), 3)
        XCTAssertEqual(try version(PNG.read(contentsOf: samples.appendingPathComponent("gradient-rgb-61x45.png").path)), 5)
    }

    func testPooledTablesSumThePositionTables() throws {
        let entropy = try XCTUnwrap(try TestModels.tiny.entropyModel(bits: 6))
        let pooled = PlaneEntropyModel(pooling: entropy)
        XCTAssertEqual(pooled.tables.count, entropy.codeChannels * pooled.contexts)
        XCTAssertEqual(pooled.contexts, EntropyModel.contextsPerSymbol(layout: entropy.layout, contextBuckets: entropy.contextBuckets))
        // With every symbol the same, the context is the same as the tile model's at an inner position.
        let tables = pooled.tables.map(\.frequencies)
        XCTAssertTrue(tables.allSatisfy { $0.reduce(0, +) == FrequencyTable.total })
        XCTAssertEqual(pooled.tableIndex(channel: 0, left: nil, up: nil), 0)
    }
}
