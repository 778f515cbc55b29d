@testable import AECCodec
import AECBase
import AECImage
import AECTestSupport
import XCTest

/// Format version 4: version 3 with metadata blocks (Docs/FORMAT.md).
final class MetadataFileTests: XCTestCase {
    let codec = Codec(model: TestModels.tiny)

    func encode(_ image: Image, metadata: ImageMetadata) throws -> [UInt8] {
        var options = EncodeOptions()
        options.wholeImage = false  // version 4 is version 3 (tiles) with metadata
        options.metadata = metadata
        return try codec.encode(image, options: options).bytes
    }

    func testMetadataMakesAVersion4FileWithVersion3sPayload() throws {
        for channels in [1, 3, 4] {
            let image = TestModels.image(width: 40, height: 30, channels: channels)
            let plain = try encode(image, metadata: ImageMetadata())
            let withMetadata = try encode(image, metadata: SyntheticMetadata.sample)
            let v3 = try AECFile(bytes: plain, maxPixels: 1 << 20), v4 = try AECFile(bytes: withMetadata, maxPixels: 1 << 20)
            XCTAssertEqual(v3.formatVersion, 3, "no metadata: the file is exactly what it was")
            XCTAssertEqual(v4.formatVersion, 4)
            XCTAssertEqual(v4.metadata, SyntheticMetadata.sample)
            XCTAssertEqual(v4.payload, v3.payload)
            XCTAssertEqual(v4.alpha, v3.alpha)
            XCTAssertEqual(try codec.decode(withMetadata), try codec.decode(plain))
            XCTAssertEqual(withMetadata[3], 4, "the version byte follows the flags")
            XCTAssertEqual(v4.serialized(), withMetadata)
        }
        // A profile alone, texts alone.
        for metadata in [ImageMetadata(iccProfile: SyntheticMetadata.profile(size: 200)),
                         ImageMetadata(texts: [.init(keyword: "Comment", text: "only text")])] {
            let bytes = try encode(TestModels.image(width: 9, height: 7, channels: 2), metadata: metadata)
            XCTAssertEqual(try AECFile(bytes: bytes, maxPixels: 1 << 20).metadata, metadata)
        }
    }

    func testWhatAPNGCannotHoldIsNotStored() throws {
        let image = TestModels.image(width: 10, height: 10, channels: 1)
        let invalid = ImageMetadata(iccProfile: [1, 2, 3], texts: [.init(keyword: " bad", text: "x"), .init(keyword: "Nul", text: "a\0b")])
        let bytes = try encode(image, metadata: invalid)
        XCTAssertEqual(try AECFile(bytes: bytes, maxPixels: 1 << 20).formatVersion, 3)
        XCTAssertEqual(bytes, try encode(image, metadata: ImageMetadata()))
    }

    func testEveryTruncationAndFlippedBitOfAVersion4FileIsCaught() throws {
        let bytes = try encode(TestModels.image(width: 30, height: 20, channels: 4), metadata: SyntheticMetadata.sample)
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try codec.decode(Array(bytes.prefix(n))), "truncated to \(n) bytes")
        }
        for i in stride(from: 0, to: bytes.count, by: 3) {
            var damaged = bytes
            damaged[i] ^= 0x20
            XCTAssertThrowsError(try codec.decode(damaged), "byte \(i)")
        }
    }

    /// Blocks that are wrong although the CRC is right: each is refused with a line that says what.
    func testMalformedBlocksAreRefused() throws {
        let image = TestModels.image(width: 12, height: 12, channels: 1)
        let plain = try AECFile(bytes: try encode(image, metadata: ImageMetadata()), maxPixels: 1 << 20)
        // "AE" · 0b11 | flags with bit 5 · 4 · fingerprint · sizes · blocks · payload · CRC
        func file(blocks: [UInt8]) -> [UInt8] {
            var header = Array(plain.serialized()[0..<plain.headerSize])
            header[2] |= 0xC0 | 1 << 5
            header.insert(4, at: 3)
            var out = header + blocks + plain.payload
            out.appendLE(CRC32.checksum(out))
            return out
        }
        func block(_ type: UInt8, _ bytes: [UInt8]) -> [UInt8] {
            var out = [type]
            VarInt.append(bytes.count, to: &out)
            return out + bytes
        }
        let profile = Zlib.compress(SyntheticMetadata.profile())
        let text = Zlib.compress(Array("Title".utf8) + [0] + Array("t".utf8) + [0])
        XCTAssertEqual(try AECFile(bytes: file(blocks: block(2, profile) + block(3, text) + [0]), maxPixels: 1 << 20).metadata,
                       ImageMetadata(iccProfile: SyntheticMetadata.profile(), texts: [.init(keyword: "Title", text: "t")]))
        XCTAssertEqual(try codec.decode(file(blocks: [0])), try codec.decode(plain.serialized()), "an empty list")
        let cases: [([UInt8], String)] = [
            (block(9, [1]) + [0], "unknown block type 9"),
            (block(3, text) + block(2, profile) + [0], "block type 2 repeated or out of order"),
            (block(2, profile) + block(2, profile) + [0], "block type 2 repeated or out of order"),
            ([2, 0xA0, 0x8D, 0x06] + profile, "block type 2 is truncated"),  // 100,000 bytes claimed
            (block(2, Zlib.compress([1, 2, 3])) + [0], "bad ICC profile block"),
            (block(2, [0x78, 0x9C, 1, 2]) + [0], "bad ICC profile block"),
            (block(3, Zlib.compress(Array(" bad".utf8) + [0, 0x41, 0])) + [0], "bad text block"),
            (block(3, Zlib.compress(Array("Title".utf8) + [0, 0x41])) + [0], "bad text block"),
            (block(3, Zlib.compress(Array("Title".utf8) + [0, 0xFF, 0])) + [0], "bad text block"),
            (block(3, Zlib.compress([UInt8](repeating: 0x41, count: ImageMetadata.maxBlockBytes + 1))) + [0], "bad text block"),
        ]
        for (blocks, message) in cases {
            XCTAssertThrowsError(try AECFile(bytes: file(blocks: blocks), maxPixels: 1 << 20), message) {
                XCTAssertEqual($0 as? CodecError, .corrupt(message))
            }
        }
        // A list without its end byte reads into the payload and fails there or at the end.
        XCTAssertThrowsError(try codec.decode(file(blocks: block(2, profile))))
    }
}
