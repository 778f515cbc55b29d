@testable import AECCodec
import AECBase
import AECImage
import AECNet
import XCTest

final class CodecTests: XCTestCase {
    let codec = Codec(model: TestModels.tiny)

    /// These tests are of the tile path (format versions 1–3) unless `wholeImage` says otherwise; the
    /// whole-image path (version 5) has WholeImageCodecTests.
    func roundTrip(_ image: Image, bits: Int = 6, halfChroma: Bool = false, jobs: Int = 1,
                   wholeImage: Bool? = false) throws -> (bytes: [UInt8], image: Image) {
        var options = EncodeOptions()
        options.wholeImage = wholeImage
        options.bits = bits
        options.halfResolutionChroma = halfChroma
        options.jobs = jobs
        let bytes = try codec.encode(image, options: options).bytes
        return (bytes, try codec.decode(bytes, jobs: jobs))
    }

    func testShapesAndChannelsSurviveARoundTrip() throws {
        for (w, h) in [(28, 28), (1, 1), (1, 100), (61, 45), (29, 57)] {
            for channels in 1...4 {
                let image = TestModels.image(width: w, height: h, channels: channels)
                let decoded = try roundTrip(image).image
                XCTAssertEqual(decoded.width, w)
                XCTAssertEqual(decoded.height, h)
                // Alpha survives only when it is not opaque everywhere (it is not, in these images, except 1×1).
                let hasAlpha = channels == 2 || channels == 4
                let alphaKept = hasAlpha && image.samples.enumerated().contains { $0.offset % channels == channels - 1 && $0.element != 255 }
                XCTAssertEqual(decoded.channels, (channels >= 3 ? 3 : 1) + (alphaKept ? 1 : 0), "\(w)×\(h)×\(channels)")
                if alphaKept {
                    for i in 0..<(w * h) {
                        XCTAssertEqual(decoded.samples[i * decoded.channels + decoded.channels - 1], image.samples[i * channels + channels - 1])
                    }
                }
            }
        }
    }

    func testAWideStripWorks() throws {
        let image = TestModels.image(width: 10_000, height: 1, channels: 1)
        let decoded = try roundTrip(image, bits: 4).image
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [10_000, 1, 1])
    }

    func testGrayRGBIsCodedAsGray() throws {
        let gray = TestModels.image(width: 30, height: 30, channels: 1)
        let rgb = Image(width: 30, height: 30, channels: 3, samples: gray.samples.flatMap { [$0, $0, $0] })
        let encoded = try codec.encode(rgb)
        XCTAssertEqual(try AECFile(bytes: encoded.bytes, maxPixels: 1 << 30).colour, .gray)
        XCTAssertFalse(encoded.notes.isEmpty)
        XCTAssertEqual(encoded.bytes, try codec.encode(gray).bytes)
    }

    func testHeaderOfA28x28GrayImageIs12Bytes() throws {
        let bytes = try codec.encode(TestModels.image(width: 28, height: 28, channels: 1)).bytes
        let file = try AECFile(bytes: bytes, maxPixels: 1 << 30)
        XCTAssertEqual(file.headerSize, 8)
        XCTAssertEqual(bytes.count, file.payload.count + 12)
        XCTAssertEqual(file.modelFingerprint, TestModels.tiny.fingerprint)
        XCTAssertEqual(file.bits, 6)
        XCTAssertEqual(file.formatVersion, 3)
        // "AE", then version 3 (bits 6–7 = 2) with the flags: 6 bits (5), gray (0), no alpha.
        XCTAssertEqual(Array(bytes[0..<3]), [0x41, 0x45, 0x85])
    }

    /// A version-1 file (one header byte more: the version, then the flags after the fingerprint) made
    /// from a version-2 one.
    static func versionOne(of v2: [UInt8]) -> [UInt8] {
        var v1 = Array(v2[0..<2]) + [0x01] + Array(v2[3..<6]) + [v2[2] & 0x3F] + Array(v2[6..<(v2.count - 4)])
        v1.appendLE(CRC32.checksum(v1))
        return v1
    }

    func testVersionOneFilesStillDecode() throws {
        for (w, h, c) in [(28, 28, 1), (30, 17, 4)] {
            let image = TestModels.image(width: w, height: h, channels: c)
            var options = EncodeOptions()
            options.formatVersion = 2
            let v2 = try codec.encode(image, options: options).bytes
            let v1 = Self.versionOne(of: v2)
            XCTAssertEqual(v1.count, v2.count + 1)
            let file = try AECFile(bytes: v1, maxPixels: 1 << 30)
            XCTAssertEqual(file.formatVersion, 1)
            XCTAssertEqual(file.headerSize, try AECFile(bytes: v2, maxPixels: 1 << 30).headerSize + 1)
            XCTAssertEqual(try codec.decode(v1), try codec.decode(v2))
            XCTAssertEqual(file.serialized(), v2, "re-serialized in the current version")
            // Version 1 had no other use for the flag byte's top bits.
            var reserved = v1
            reserved[6] |= 0x40
            reserved.replaceSubrange((reserved.count - 4)..., with: [])
            reserved.appendLE(CRC32.checksum(reserved))
            XCTAssertThrowsError(try codec.decode(reserved)) { XCTAssertEqual($0 as? CodecError, .corrupt("reserved flag bits are set")) }
        }
    }

    func testOutputDoesNotDependOnJobs() throws {
        let image = TestModels.image(width: 150, height: 90, channels: 3)
        let one = try roundTrip(image, jobs: 1), two = try roundTrip(image, jobs: 2), three = try roundTrip(image, jobs: 3)
        XCTAssertEqual(one.bytes, two.bytes)
        XCTAssertEqual(one.bytes, three.bytes)
        XCTAssertEqual(one.image, two.image)
    }

    func testDecodingIsTheNetworkOnTheQuantizedCode() throws {
        // Decode by hand: tiles → encoder → rounding → decoder, and compare with the codec's output.
        let image = TestModels.image(width: 28, height: 56, channels: 1)
        let decoded = try roundTrip(image, bits: 5).image
        let plane = PlaneSource(image: image, channel: .gray, halved: false).rows(0..<image.height)
        let q = CodeQuantizer(bits: 5)
        let codes = codec.runEncoder(tiles: Tiling.tiles(of: plane), jobs: 1).map { q.value(q.symbol($0)) }
        let tiles = codec.runDecoder(codes: codes, jobs: 1)
        let expected = Tiling.plane(fromTiles: tiles, width: 28, height: 56).values.map { ColorTransform.to8Bit(255 * $0) }
        XCTAssertEqual(decoded.samples, expected)
    }

    /// The codec works in bands of tile rows; the result must be what the whole plane gives at once.
    /// 28×16,828 gray is 601 tiles in one column: two bands (512 + 89 tile rows).
    func testBandsGiveWhatTheWholePlaneGives() throws {
        let height = 28 * 600 + 28
        XCTAssertEqual(Codec.bandTileRows(columns: 1), 512)
        let image = TestModels.image(width: 28, height: height, channels: 1)
        let decoded = try roundTrip(image, bits: 6).image
        let plane = PlaneSource(image: image, channel: .gray, halved: false).rows(0..<height)
        let q = CodeQuantizer(bits: 6)
        let codes = codec.runEncoder(tiles: Tiling.tiles(of: plane), jobs: 2).map { q.value(q.symbol($0)) }
        let expected = Tiling.plane(fromTiles: codec.runDecoder(codes: codes, jobs: 2), width: 28, height: height)
            .values.map { ColorTransform.to8Bit(255 * $0) }
        XCTAssertEqual(decoded.samples, expected)
    }

    func testMoreBitsCostMoreBytes() throws {
        let image = TestModels.image(width: 84, height: 84, channels: 1)
        let sizes = try [2, 4, 8].map { try roundTrip(image, bits: $0).bytes.count }
        XCTAssertLessThan(sizes[0], sizes[1])
        XCTAssertLessThan(sizes[1], sizes[2])
    }

    func testHalfResolutionChromaIsSmallerAndDecodes() throws {
        let image = TestModels.image(width: 61, height: 45, channels: 3)
        let full = try roundTrip(image), half = try roundTrip(image, halfChroma: true)
        XCTAssertLessThan(half.bytes.count, full.bytes.count)
        XCTAssertEqual(try AECFile(bytes: half.bytes, maxPixels: 1 << 30).colour, .ycbcr420)
        XCTAssertEqual(half.image.width, 61)
        XCTAssertEqual(half.image.channels, 3)
    }

    func testUnsupportedBitsAreAnError() throws {
        var options = EncodeOptions()
        options.bits = 9
        XCTAssertThrowsError(try codec.encode(TestModels.image(width: 5, height: 5, channels: 1), options: options)) {
            XCTAssertEqual($0 as? CodecError, .unsupportedBits(9, available: Array(2...8)))
        }
    }

    /// The header keeps bits − 1 in three bits: a model with tables for 9 bits must not write a file whose
    /// colour mode the ninth bit would overwrite.
    func testNineBitCodesAreRefusedEvenWithTables() throws {
        var rng = SplitMix64(seed: 3)
        let symbols = (0..<(100 * 49)).map { _ in UInt16(rng.next(below: 512)) }
        let nine = try EntropyModel.fit(symbols: symbols, bits: 9, codeChannels: 1, layout: .perPosition)
        let model = try CodecModel(file: CodecModel.attaching([nine], to: TestModels.tiny.file), name: "nine")
        XCTAssertEqual(model.availableBits, [9])
        var options = EncodeOptions()
        options.bits = 9
        XCTAssertThrowsError(try Codec(model: model).encode(TestModels.image(width: 5, height: 5, channels: 3), options: options)) {
            XCTAssertEqual($0 as? CodecError, .bitsOutOfRange(9))
            XCTAssertEqual("\($0)", "9 bits per code value: the codec codes 2 to 8")
        }
    }

    /// A model file may hold any float, but a model with a NaN or infinite weight cannot code (the integer
    /// network has no scale for it): loading it for the codec is an error, in memory or from bytes.
    func testModelsWithNonFiniteWeightsAreRefused() throws {
        for bad in [Float.nan, .infinity, -.infinity] {
            var file = TestModels.tiny.file
            file.model.parameters[7] = bad
            XCTAssertThrowsError(try CodecModel(file: file, name: "broken")) {
                XCTAssertTrue("\($0)".hasPrefix("broken: parameter 7 is "), "\($0)")
            }
            XCTAssertThrowsError(try CodecModel(bytes: file.serialized(), name: "broken.aecm")) {
                XCTAssertTrue("\($0)".contains("finite weights"), "\($0)")
            }
        }
    }

    // MARK: Bad .aec input

    func validFile() throws -> [UInt8] {
        var options = EncodeOptions()
        options.wholeImage = false
        return try codec.encode(TestModels.image(width: 40, height: 30, channels: 4), options: options).bytes
    }

    func testEveryFlippedBitIsCaught() throws {
        let bytes = try validFile()
        for i in 0..<bytes.count {
            for bit in [0, 3, 7] {
                var damaged = bytes
                damaged[i] ^= 1 << bit
                XCTAssertThrowsError(try codec.decode(damaged), "byte \(i) bit \(bit)")
            }
        }
    }

    func testEveryTruncationIsCaught() throws {
        let bytes = try validFile()
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try codec.decode(Array(bytes.prefix(n))), "truncated to \(n) bytes")
        }
    }

    func testErrorsSayWhatIsWrong() throws {
        let bytes = try validFile()
        XCTAssertThrowsError(try codec.decode([])) { XCTAssertEqual($0 as? CodecError, .notAEC("the file is empty")) }
        XCTAssertThrowsError(try codec.decode(Array("\u{89}PNG\r\n".utf8))) { XCTAssertTrue("\($0)".contains("not an .aec file"), "\($0)") }
        for version in [6, 200] {
            // Bits 6–7 = 3: the version is the next byte (Docs/FORMAT.md).
            var future = Array(bytes[0..<3]) + [UInt8(version)] + bytes[3...]
            future[2] |= 0xC0
            XCTAssertThrowsError(try codec.decode(future)) { XCTAssertEqual($0 as? CodecError, .unsupportedVersion(version)) }
        }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x10
        XCTAssertThrowsError(try codec.decode(flipped)) { XCTAssertEqual($0 as? CodecError, .checksumMismatch) }
        // A file made with another model.
        let other = try CodecModel(bytes: CodecModel.attaching(Array(try TestModels.tiny.entropyModels.values),
                                                               to: ModelFile(model: Autoencoder(architecture: Architecture(w1: 2, w2: 2, w3: 2), seed: 6))).serialized(),
                                   name: "other")
        XCTAssertThrowsError(try Codec(model: other).decode(bytes)) {
            XCTAssertEqual($0 as? CodecError, .wrongModel(file: TestModels.tiny.fingerprint, model: other.fingerprint))
        }
    }

    /// Every value of byte 2 that names no readable version is refused, also when the CRC is recomputed so
    /// the damage is not caught by the checksum (Docs/FORMAT.md: 0x00 and 0x02…0x3F name no version).
    func testEveryRefusedVersionByteIsRefusedWithAValidChecksum() throws {
        let bytes = try validFile()
        for lead in 0...255 {
            let version = AECFile.announcedVersion(UInt8(lead))
            if let version, AECFile.readableVersions.contains(version) { continue }
            if lead >> 6 == 3 { continue }  // the version is in the next byte: below
            var file = Array(bytes.dropLast(4))
            file[2] = UInt8(lead)
            file.appendLE(CRC32.checksum(file))
            XCTAssertThrowsError(try codec.decode(file), String(format: "byte 2 = 0x%02X", lead)) { error in
                if lead >> 6 == 0 {
                    XCTAssertEqual(error as? CodecError, .unknownVersionByte(UInt8(lead)))
                    XCTAssertTrue("\(error)".contains(String(format: "0x%02X", lead)), "\(error)")
                } else {
                    XCTAssertEqual(error as? CodecError, .unsupportedVersion(lead >> 6 + 1))
                }
            }
        }
        // Bits 6–7 = 3: the next byte is the version, 4 or more; 0…3 there name no version.
        for next in 0...255 where !AECFile.readableVersions.contains(next) || next < 4 {
            var file = Array(bytes[0..<3]) + [UInt8(next)] + Array(bytes[3..<(bytes.count - 4)])
            file[2] |= 0xC0
            file.appendLE(CRC32.checksum(file))
            XCTAssertThrowsError(try codec.decode(file), "version byte \(next)") { error in
                XCTAssertEqual(error as? CodecError, next < 4 ? .unknownVersionByte(UInt8(next)) : .unsupportedVersion(next))
            }
        }
        XCTAssertNil(AECFile.announcedVersion(0x02), "0x02 was once read as version 2")
        XCTAssertEqual(AECFile.announcedVersion(0x01), 1)
        XCTAssertEqual(AECFile.announcedVersion(0x40), 2)
    }

    func testHugeSizeInAValidHeaderIsRefusedBeforeAllocating() throws {
        // A header announcing 1,000,000 × 1,000,000 pixels with a correct CRC.
        var bytes: [UInt8] = [0x41, 0x45, 0x01]
        let f = TestModels.tiny.fingerprint
        bytes += [UInt8(f & 0xFF), UInt8(f >> 8 & 0xFF), UInt8(f >> 16 & 0xFF), 5]
        VarInt.append(999_999, to: &bytes)
        VarInt.append(999_999, to: &bytes)
        bytes.appendLE(CRC32.checksum(bytes))
        XCTAssertThrowsError(try codec.decode(bytes)) {
            XCTAssertEqual($0 as? CodecError, .tooLarge(width: 1_000_000, height: 1_000_000, limit: Limits.defaultMaxPixels))
        }
    }

    // MARK: Pieces

    func testTilingIsExactAndPadsByReplication() {
        var rng = SplitMix64(seed: 1)
        let plane = Plane(width: 30, height: 29, values: (0..<(30 * 29)).map { _ in rng.nextUnitFloat() })
        let tiles = Tiling.tiles(of: plane)
        XCTAssertEqual(tiles.count, 4 * 28 * 28)
        XCTAssertEqual(Tiling.plane(fromTiles: tiles, width: 30, height: 29), plane)
        // Tile 1 (top right) column 5 is past the edge: it repeats column 29.
        XCTAssertEqual(tiles[28 * 28 + 3 * 28 + 5], plane[29, 3])
        // Tile 2 (bottom left) row 4 is past the edge: it repeats row 28.
        XCTAssertEqual(tiles[2 * 28 * 28 + 4 * 28 + 7], plane[7, 28])
    }

    func testColourTransformRoundTripsWithinOneLevel() {
        var samples: [UInt8] = []
        for r in stride(from: 0, through: 255, by: 15) { for g in stride(from: 0, through: 255, by: 17) { for b in [0, 1, 128, 254, 255] {
            samples += [UInt8(r), UInt8(g), UInt8(b)]
        } } }
        let image = Image(width: samples.count / 3, height: 1, channels: 3, samples: samples)
        let (y, cb, cr) = ColorTransform.ycbcrPlanes(of: image)
        let back = ColorTransform.rgbSamples(y: y, cb: cb, cr: cr)
        XCTAssertLessThanOrEqual(zip(back, samples).map { abs(Int($0) - Int($1)) }.max()!, 1)
        // Known values: white is Y 255, Cb = Cr = 128.
        let white = ColorTransform.ycbcrPlanes(of: Image(width: 1, height: 1, channels: 3, samples: [255, 255, 255]))
        XCTAssertEqual(white.y.values[0] * 255, 255, accuracy: 1e-3)
        XCTAssertEqual(white.cb.values[0] * 255, 128, accuracy: 1e-3)
    }

    func testHalvingAveragesAndDoublingRepeats() {
        let plane = Plane(width: 3, height: 2, values: [0, 1, 2, 3, 4, 5])
        let half = plane.halved()
        XCTAssertEqual(half, Plane(width: 2, height: 1, values: [2, 3.5]))
        XCTAssertEqual(half.doubled(width: 3, height: 2).values, [2, 2, 3.5, 2, 2, 3.5])
    }

    func testVarIntRoundTrips() {
        for v in [0, 1, 127, 128, 300, 16_383, 16_384, 1 << 29] {
            var bytes: [UInt8] = []
            VarInt.append(v, to: &bytes)
            XCTAssertEqual(bytes.count, VarInt.size(v))
            var r = ByteReader(bytes[...])
            XCTAssertEqual(VarInt.read(&r), v)
        }
        var r = ByteReader([0x80, 0x80][...])
        XCTAssertNil(VarInt.read(&r), "truncated")
    }

    func testFingerprintsTellModelsApart() throws {
        // Regression: the CRC of a file that ends with its own CRC is a constant, so it cannot be the fingerprint.
        let fingerprints = try (1...20).map { seed in
            try CodecModel(bytes: ModelFile(model: Autoencoder(architecture: Architecture(w1: 2, w2: 2, w3: 2), seed: UInt64(seed))).serialized(),
                           name: "m\(seed)").fingerprint
        }
        XCTAssertEqual(Set(fingerprints).count, 20)
    }

    /// A bit depth's tables are built when first used: a model whose 6-bit tables are damaged (but whose
    /// file is otherwise sound) loads, codes at 5 bits, and fails with a clear error at 6 bits. Headers
    /// and lengths are checked at load.
    func testDamagedTablesAreFoundWhenTheirBitDepthIsUsed() throws {
        var payload = try XCTUnwrap(TestModels.tiny.file.section("ENTR")).payload
        var offset = 1
        for _ in 0..<Int(payload[0]) {
            let (bits, _, used) = try EntropyModel.extent(of: payload[offset...])
            if bits == 6 { break }
            offset += used
        }
        // Header (8 bytes), then the first table: its count (u16) and its first frequency − 1 (u16).
        payload[offset + 10] ^= 0x40
        func model(with payload: [UInt8]) throws -> CodecModel {
            var file = TestModels.tiny.file
            file.extraSections.removeAll { $0.tag == "ENTR" }
            file.extraSections.append(.init(tag: "ENTR", payload: payload))
            return try CodecModel(bytes: file.serialized(), name: "damaged")
        }
        let damaged = try model(with: payload)
        XCTAssertEqual(damaged.availableBits, Array(2...8))
        XCTAssertNotNil(try damaged.entropyModel(bits: 5))
        XCTAssertThrowsError(try damaged.entropyModel(bits: 6)) { error in
            XCTAssertTrue(error is ModelFileError, "\(error)")
            XCTAssertTrue("\(error)".hasPrefix("damaged: bad entropy tables for 6 bits"), "\(error)")
        }
        let image = Image(width: 28, height: 28, channels: 1, samples: [UInt8](repeating: 90, count: 784))
        var options = EncodeOptions()
        options.bits = 5
        XCTAssertNoThrow(try Codec(model: damaged).encode(image, options: options))
        options.bits = 6
        XCTAssertThrowsError(try Codec(model: damaged).encode(image, options: options))
        // A table cut short is found at load.
        let truncated = Array(payload[..<(offset + 200)])
        XCTAssertThrowsError(try model(with: truncated)) { error in XCTAssertTrue("\(error)".contains("bad entropy tables"), "\(error)") }
    }

    func testEntropyModelRoundTripsThroughTheModelFile() throws {
        let reloaded = try CodecModel(bytes: TestModels.tiny.file.serialized(), name: "again")
        XCTAssertEqual(try reloaded.entropyModels, try TestModels.tiny.entropyModels)
        XCTAssertEqual(reloaded.fingerprint, TestModels.tiny.fingerprint)
        XCTAssertEqual(reloaded.availableBits, Array(2...8))
    }

    func testNeighbourContextsHelpWhenSymbolsFollowTheirNeighbours() throws {
        // Each tile is a smooth random walk: a symbol is its left/upper neighbours' mean plus a little
        // noise. At 6 bits the neighbour context must beat per-position tables clearly. (Regression: a
        // precedence slip, `n * K >> B` = n * (K >> B), once made the context always 1 above 3 bits.)
        var rng = SplitMix64(seed: 3)
        func tile() -> [Float] {
            var v = [Float](repeating: 0, count: 49)
            for y in 0..<7 { for x in 0..<7 {
                let left = x > 0 ? v[y * 7 + x - 1] : nil, up = y > 0 ? v[(y - 1) * 7 + x] : nil
                let base = [left, up].compactMap { $0 }
                let mean = base.isEmpty ? rng.nextUnitFloat() : base.reduce(0, +) / Float(base.count)
                v[y * 7 + x] = min(1, max(0, mean + 0.03 * (rng.nextUnitFloat() - 0.5)))
            } }
            return v
        }
        let train = (0..<2000).flatMap { _ in tile() }, test = (0..<300).flatMap { _ in tile() }
        let report = try EntropyFitting.fit(trainingCodes: train, testCodes: test, codeChannels: 1, bits: [6])[0].report
        let perPosition = report.candidates.first { $0.layout == .perPosition }!.testBytesPerTile
        XCTAssertTrue(report.chosen.layout.usesNeighbours, "\(report.chosen)")
        XCTAssertLessThan(report.chosen.testBytesPerTile, 0.8 * perPosition, "\(report.candidates)")
    }

    func testFittedTablesStayWithinTheirSizeBudget() throws {
        var rng = SplitMix64(seed: 6)
        let codes = (0..<(400 * 49)).map { _ in rng.nextUnitFloat() }
        for (model, report) in try EntropyFitting.fit(trainingCodes: codes, testCodes: codes, codeChannels: 1, bits: [6, 8]) {
            XCTAssertLessThanOrEqual(model.serialized().count, EntropyFitting.maximumTableBytes + 8)
            for c in report.candidates {
                XCTAssertLessThanOrEqual(EntropyFitting.tableBytes(layout: c.layout, contextBuckets: c.contextBuckets,
                                                                   bits: model.bits, codeChannels: 1),
                                         EntropyFitting.maximumTableBytes, "\(c.description) tried at \(model.bits) bits")
            }
            // 6 bits can afford the finest candidate (169 contexts); 8 bits cannot.
            XCTAssertEqual(report.candidates.contains { $0.layout == .perPositionAndTwoNeighbours && $0.contextBuckets == 12 }, model.bits == 6)
        }
    }

    func testTwoNeighbourContextsHelpWhenTheMeanSaysNothing() throws {
        // A symbol is near |left − upper|: the neighbours' mean does not tell it, the pair does.
        var rng = SplitMix64(seed: 4)
        func tile() -> [Float] {
            var v = [Float](repeating: 0, count: 49)
            for y in 0..<7 { for x in 0..<7 {
                if x == 0 || y == 0 { v[y * 7 + x] = rng.nextUnitFloat(); continue }
                v[y * 7 + x] = min(1, max(0, abs(v[y * 7 + x - 1] - v[(y - 1) * 7 + x]) + 0.05 * (rng.nextUnitFloat() - 0.5)))
            } }
            return v
        }
        let train = (0..<3000).flatMap { _ in tile() }, test = (0..<300).flatMap { _ in tile() }
        let report = try EntropyFitting.fit(trainingCodes: train, testCodes: test, codeChannels: 1, bits: [5])[0].report
        let oneNeighbour = report.candidates.filter { $0.layout == .perPositionAndNeighbour }.map(\.testBytesPerTile).min()!
        XCTAssertEqual(report.chosen.layout, .perPositionAndTwoNeighbours, "\(report.candidates)")
        XCTAssertLessThan(report.chosen.testBytesPerTile, 0.9 * oneNeighbour, "\(report.candidates)")
    }

    func testFittingPrefersTheLayoutThatFitsTheData() throws {
        // Symbols that depend strongly on their position: per-position tables must beat a pooled one.
        var rng = SplitMix64(seed: 2)
        func tile() -> [Float] { (0..<49).map { i in Float(i % 7) / 7 + 0.02 * rng.nextUnitFloat() } }
        let train = (0..<300).flatMap { _ in tile() }, test = (0..<100).flatMap { _ in tile() }
        let fitted = try EntropyFitting.fit(trainingCodes: train, testCodes: test, codeChannels: 1, bits: [4])
        let report = fitted[0].report
        XCTAssertNotEqual(report.chosen.layout, .pooled)
        let pooled = report.candidates.first { $0.layout == .pooled }!.testBytesPerTile
        XCTAssertLessThan(report.chosen.testBytesPerTile, pooled / 2)
    }
}
