import XCTest
@testable import AECImage
import AECTestSupport

/// The metadata kept with `-metadata`: ICC profiles and text notes read from PNG and JPEG files, and written
/// back into PNG files.
final class MetadataTests: XCTestCase {
    static func profile(size: Int = 600) -> [UInt8] { SyntheticMetadata.profile(size: size) }

    static let gray = Image(width: 3, height: 2, channels: 1, samples: [0, 50, 100, 150, 200, 250])

    func testPNGRoundTripKeepsProfileAndTextsAndStaysAValidPNG() throws {
        let metadata = SyntheticMetadata.sample
        let png = try PNG.encode(Self.gray, metadata: metadata)
        XCTAssertEqual(PNGMetadata.read(from: png), metadata)
        XCTAssertEqual(try PNG.decode(png), Self.gray, "libpng reads the PNG with the added chunks")
        // Latin-1 text goes into tEXt, the rest into iTXt.
        var types: [String] = []
        PNGMetadata.forEachChunk(in: png) { type, _ in types.append(type) }
        XCTAssertEqual(types, ["IHDR", "iCCP", "tEXt", "iTXt", "tEXt", "IDAT"])
        XCTAssertEqual(try PNG.encode(Self.gray, metadata: ImageMetadata()), try PNG.encode(Self.gray))
    }

    func testPNGReaderTakesEveryTextChunkKindAndSkipsDamagedChunks() {
        let profile = Self.profile(size: 300)
        let zlibText = Zlib.compress(Array("compressed note".utf8))
        let png = PNGBuilder.png(width: 1, height: 1, bitDepth: 8, colorType: 0, rows: [[7]], chunksBeforeIDAT: [
            ("iCCP", Array("sRGB-ish".utf8) + [0, 0] + Zlib.compress(profile)),
            ("iCCP", Array("second".utf8) + [0, 0] + Zlib.compress(Self.profile(size: 200))),  // only the first counts
            ("tEXt", Array("Comment".utf8) + [0] + [0x63, 0x61, 0x66, 0xE9]),  // "café" in Latin-1
            ("zTXt", Array("Software".utf8) + [0, 0] + zlibText),
            ("iTXt", Array("Title".utf8) + [0, 1, 0] + Array("fr".utf8) + [0] + Array("Titre".utf8) + [0] + Zlib.compress(Array("été ✓".utf8))),
            ("tEXt", Array(" bad keyword".utf8) + [0] + Array("x".utf8)),        // invalid keyword: skipped
            ("zTXt", Array("Broken".utf8) + [0, 0, 0x78, 0x9C, 1, 2, 3]),       // damaged zlib: skipped
            ("iTXt", Array("Bad".utf8) + [0, 0, 0, 0, 0, 0xFF, 0xFE]),            // not UTF-8: skipped
        ])
        var damaged = png
        let metadata = PNGMetadata.read(from: png)
        XCTAssertEqual(metadata.iccProfile, profile)
        XCTAssertEqual(metadata.texts, [.init(keyword: "Comment", text: "café"), .init(keyword: "Software", text: "compressed note"),
                                        .init(keyword: "Title", text: "été ✓")])
        // A chunk whose CRC is wrong is left out, as libpng leaves out damaged ancillary chunks.
        let iccp = damaged.indices.first { Array(damaged[$0..<($0 + 4)]) == Array("iCCP".utf8) }!
        damaged[iccp + 8] ^= 1
        XCTAssertEqual(PNGMetadata.read(from: damaged).iccProfile, Self.profile(size: 200))
    }

    func testProfilesThatAreNotProfilesAreLeftOut() {
        var wrongSize = Self.profile()
        wrongSize[3] &+= 1
        var noSignature = Self.profile()
        noSignature[36] = 0x41
        for bad in [wrongSize, noSignature, Array(Self.profile(size: 132).prefix(100))] {
            XCTAssertFalse(ImageMetadata.isICCProfile(bad))
            let png = PNGBuilder.png(width: 1, height: 1, bitDepth: 8, colorType: 0, rows: [[7]],
                                     chunksBeforeIDAT: [("iCCP", Array("p".utf8) + [0, 0] + Zlib.compress(bad))])
            XCTAssertNil(PNGMetadata.read(from: png).iccProfile)
        }
        XCTAssertNil(ImageMetadata(iccProfile: wrongSize).valid.iccProfile)
    }

    func testJPEGProfileInPiecesAndComments() throws {
        let jpeg = try JPEG.encode(Image(width: 8, height: 8, channels: 3, samples: [UInt8](repeating: 90, count: 192)), quality: 80, optimizeHuffman: false)
        let profile = Self.profile(size: 1000)
        func app2(_ number: Int, of count: Int, _ piece: ArraySlice<UInt8>) -> [UInt8] {
            let payload = JPEGMetadata.iccTag + [UInt8(number), UInt8(count)] + piece
            return [0xFF, 0xE2] + [UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }
        func comment(_ bytes: [UInt8]) -> [UInt8] { [0xFF, 0xFE, UInt8((bytes.count + 2) >> 8), UInt8((bytes.count + 2) & 0xFF)] + bytes }
        func withSegments(_ segments: [UInt8]) -> [UInt8] { Array(jpeg[0..<2]) + segments + jpeg[2...] }

        // Pieces out of order are put in order; a UTF-8 comment and a Latin-1 one.
        let inPieces = withSegments(app2(2, of: 2, profile[400...]) + comment(Array("made with ✓".utf8)) + app2(1, of: 2, profile[..<400])
                                    + comment([0x63, 0x61, 0x66, 0xE9]))
        let metadata = JPEGMetadata.read(from: inPieces)
        XCTAssertEqual(metadata.iccProfile, profile)
        XCTAssertEqual(metadata.texts, [.init(keyword: "Comment", text: "made with ✓"), .init(keyword: "Comment", text: "café")])
        XCTAssertEqual(ImageInput.metadata(of: inPieces), metadata)
        XCTAssertEqual(try ImageInput.decode(inPieces), try JPEG.decode(jpeg), "the segments do not change the pixels")

        // A missing, repeated or inconsistent piece: no profile.
        for broken in [app2(1, of: 2, profile[..<400]), app2(1, of: 2, profile[..<400]) + app2(1, of: 2, profile[400...]),
                       app2(1, of: 2, profile[..<400]) + app2(2, of: 3, profile[400...]), app2(0, of: 1, profile[...])] {
            XCTAssertNil(JPEGMetadata.read(from: withSegments(broken)).iccProfile)
        }
        XCTAssertEqual(JPEGMetadata.read(from: jpeg), ImageMetadata())
    }

    func testSelectionKeepsWhatItNames() {
        let metadata = ImageMetadata(iccProfile: Self.profile(), texts: [.init(keyword: "Title", text: "t")])
        XCTAssertEqual(metadata.kept(.none), ImageMetadata())
        XCTAssertEqual(metadata.kept(.icc), ImageMetadata(iccProfile: Self.profile()))
        XCTAssertEqual(metadata.kept(.all), metadata)
    }

    func testKeywordRules() {
        for good in ["Title", "XML:com.adobe.xmp", "Création", String(repeating: "k", count: 79)] {
            XCTAssertTrue(ImageMetadata.isValidKeyword(good), good)
        }
        for bad in ["", " lead", "trail ", "two  spaces", "tab\there", "日本", String(repeating: "k", count: 80)] {
            XCTAssertFalse(ImageMetadata.isValidKeyword(bad), bad)
        }
    }

    func testInflateRefusesMoreThanItsLimitAndDamagedStreams() {
        let zeros = Zlib.compress([UInt8](repeating: 0, count: 1 << 20))
        XCTAssertLessThan(zeros.count, 2000)
        XCTAssertEqual(Zlib.inflate(zeros, limit: 1 << 20)?.count, 1 << 20)
        XCTAssertNil(Zlib.inflate(zeros, limit: (1 << 20) - 1), "a stream larger than the limit")
        XCTAssertNil(Zlib.inflate(Array(zeros.dropLast(3)), limit: 1 << 21), "truncated")
        XCTAssertNil(Zlib.inflate(zeros + [0], limit: 1 << 21), "bytes after the stream")
        XCTAssertNil(Zlib.inflate([1, 2, 3, 4], limit: 100), "not zlib")
        XCTAssertEqual(Zlib.inflate(Zlib.compress([]), limit: 0), [])
    }
}
