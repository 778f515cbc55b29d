import AECCodec
import AECImage
import AECTraining
import XCTest

/// The shipped models on real test images: the default model keeps the quality and size documented in
/// Docs/MODELS.md, and the `--quality` ladder rises.
///
/// Uses the first images of the Fashion-MNIST test set (Debian package `dataset-fashion-mnist`, installed
/// by .ci/run), which no shipped model was trained on.
final class ShippedModelTests: XCTestCase {
    /// Test images used (the first of the 10,000).
    static let imageCount = 300

    /// What the default model must still give on those images at the default bits: a floor just under the
    /// mean PSNR it gives and a ceiling just over the mean file size (Docs/MODELS.md has the measured
    /// values on all 10,000 images; these are the first 300's, `swift test --filter ShippedModelTests`
    /// prints them).
    static let defaultFloorPSNR = 24.8
    static let defaultCeilingBytes = 37.0

    static func testImages(_ count: Int) throws -> [Image] {
        let idx = try FashionMNIST.load(.test)
        let n = idx.rows * idx.cols
        return (0..<min(count, idx.count)).map { i in
            Image(width: idx.cols, height: idx.rows, channels: 1, samples: Array(idx.pixels[(i * n)..<((i + 1) * n)]))
        }
    }

    /// Mean whole-file bytes and mean per-image PSNR (an identical image counts as 100 dB).
    static func measure(_ codec: Codec, bits: Int, on images: [Image]) throws -> (bytes: Double, psnr: Double) {
        var options = EncodeOptions()
        options.bits = bits
        var bytes = 0.0, psnr = 0.0
        for image in images {
            let encoded = try codec.encode(image, options: options).bytes
            let decoded = try codec.decode(encoded)
            bytes += Double(encoded.count)
            psnr += min(100, Quality.psnr(image, decoded))
        }
        return (bytes / Double(images.count), psnr / Double(images.count))
    }

    func testDefaultModelKeepsItsDocumentedQualityAndSize() throws {
        let images = try Self.testImages(Self.imageCount)
        XCTAssertEqual(images.count, Self.imageCount)
        let codec = Codec(model: try ShippedModels.default())
        let (bytes, psnr) = try Self.measure(codec, bits: Codec.defaultBits, on: images)
        print(String(format: "default model, %d bits, first %d test images: %.2f bytes, %.3f dB", Codec.defaultBits, images.count, bytes, psnr))
        XCTAssertGreaterThan(psnr, Self.defaultFloorPSNR)
        XCTAssertLessThan(bytes, Self.defaultCeilingBytes)
    }

    /// What `aec-encode` does by default — the default rung's models, chosen per image (`CodecChoice`) —
    /// keeps the default model's result on Fashion-MNIST: the same floor and ceiling.
    func testDefaultSettingsKeepTheDefaultModelsResultOnFashionMNIST() throws {
        let images = try Self.testImages(Self.imageCount)
        let choice = try CodecChoice.shipped(rung: QualityLadder.defaultRung)
        let candidates = choice.candidates
        XCTAssertEqual(candidates.count, 2, "the default rung has the default and the photo model")
        var bytes = 0.0, psnr = 0.0, chosen = [Int](repeating: 0, count: candidates.count)
        for image in images {
            let result = try choice.encode(image)
            let decoded = try candidates[result.chosen].codec.decode(result.encoded.bytes)
            bytes += Double(result.encoded.bytes.count)
            psnr += min(100, Quality.psnr(image, decoded))
            chosen[result.chosen] += 1
        }
        bytes /= Double(images.count); psnr /= Double(images.count)
        print(String(format: "default settings, first %d test images: %.2f bytes, %.3f dB; chosen %@", images.count, bytes, psnr,
                     zip(candidates, chosen).map { "\($0.name) \($1)" }.joined(separator: ", ")))
        XCTAssertGreaterThan(psnr, Self.defaultFloorPSNR)
        XCTAssertLessThan(bytes, Self.defaultCeilingBytes)
    }

    /// The photograph model's distinct rungs rise in PSNR and bytes on a photograph it was not trained on
    /// (Samples/photo-cat-160x120.png, a crop of a validation image).
    func testPhotoLadderRisesOnAPhotograph() throws {
        let image = try PNG.read(contentsOf: GoldenTests.samples.appendingPathComponent("photo-cat-160x120.png").path)
        let codec = Codec(model: try ShippedModels.named(QualityLadder.photoModelName))
        var previous: (bytes: Int, psnr: Double)? = nil
        for bits in Array(Set(QualityLadder.photoLevels.map(\.bits))).sorted() {
            var options = EncodeOptions()
            options.bits = bits
            options.halfResolutionChroma = true
            let bytes = try codec.encode(image, options: options).bytes
            let psnr = Quality.psnr(mse: Quality.colourMSE(image, try codec.decode(bytes)))
            print(String(format: "photo model, %d bits, photo-cat: %d bytes, %.3f dB", bits, bytes.count, psnr))
            if let previous {
                XCTAssertGreaterThan(psnr, previous.psnr, "\(bits) bits")
                XCTAssertGreaterThan(bytes.count, previous.bytes, "\(bits) bits")
            }
            previous = (bytes.count, psnr)
        }
    }

    /// The same for `high` (7×7×8 code) at 4 bits, the top of the `--quality` ladder (measured on the
    /// first 300 test images: 164.60 bytes, 29.19 dB).
    static let highFloorPSNR = 29.0
    static let highCeilingBytes = 166.0

    func testHighModelKeepsItsDocumentedQualityAndSize() throws {
        let images = try Self.testImages(Self.imageCount)
        let (bytes, psnr) = try Self.measure(Codec(model: try ShippedModels.named("high")), bits: 4, on: images)
        print(String(format: "high model, 4 bits, first %d test images: %.2f bytes, %.3f dB", images.count, bytes, psnr))
        XCTAssertGreaterThan(psnr, Self.highFloorPSNR)
        XCTAssertLessThan(bytes, Self.highCeilingBytes)
    }

    func testEveryRungNamesAShippedModelAndAMissingOneIsAClearError() throws {
        for level in QualityLadder.levels {
            XCTAssertNotNil(try ShippedModels.named(level.model).entropyModel(bits: level.bits), "\(level)")
        }
        XCTAssertThrowsError(try ShippedModels.named("no-such-model")) { error in
            XCTAssertEqual(error as? CodecError, .noShippedModel("no-such-model"))
            // The library says what is wrong; the tools add which flag helps (tested through aec-encode).
            XCTAssertEqual("\(error)", "no model \"no-such-model\" is shipped in this build")
        }
    }

    /// A model's fingerprint depends only on what decoding depends on, and every shipped model is a
    /// canonical file (the stored CRC is the fingerprint's, which finding a model by fingerprint relies on).
    func testFingerprintIgnoresOtherSectionsAndShippedModelsKeepTheirs() throws {
        for name in ShippedModels.names {
            let model = try ShippedModels.named(name)
            XCTAssertEqual(CodecModel.fingerprint(of: model.file), model.fingerprint, name)
            XCTAssertEqual(ShippedModels.name(withFingerprint: model.fingerprint), name)
        }
        // The fingerprints the released models had (stored in every .aec file made with them).
        XCTAssertEqual(try ShippedModels.named("default").fingerprint, 0xd1a936)
        XCTAssertEqual(try ShippedModels.named("small").fingerprint, 0xcd5d83)
        XCTAssertEqual(try ShippedModels.named("high").fingerprint, 0xf94716)
        XCTAssertEqual(try ShippedModels.named("photo").fingerprint, 0xa87312)

        // A training record before ENTR, and sections in another order, change the file but not the fingerprint.
        let plain = TestModels.tiny.file
        var decorated = plain
        decorated.extraSections.insert(.init(tag: "NOTE", payload: Array("trained by a test".utf8)), at: 0)
        let reloaded = try CodecModel(bytes: decorated.serialized(), name: "decorated")
        XCTAssertNotEqual(decorated.serialized(), plain.serialized())
        XCTAssertEqual(reloaded.fingerprint, TestModels.tiny.fingerprint)
        XCTAssertEqual(try CodecModel(file: decorated, name: "in memory").fingerprint, TestModels.tiny.fingerprint)
        // Different weights: a different fingerprint.
        var changed = plain
        changed.model.parameters[0] += 1
        XCTAssertNotEqual(CodecModel.fingerprint(of: changed), TestModels.tiny.fingerprint)
    }

    /// Models are found by name and by fingerprint (read from the file's stored CRC, without parsing).
    func testShippedModelsAreFoundByNameAndFingerprint() throws {
        let all = ShippedModels.all()
        XCTAssertEqual(all.map(\.name), ShippedModels.names)
        XCTAssertTrue(ShippedModels.names.contains(ShippedModels.defaultName))
        for (name, model) in all {
            XCTAssertEqual(ShippedModels.name(withFingerprint: model.fingerprint), name)
            XCTAssertEqual(ShippedModels.model(withFingerprint: model.fingerprint)?.fingerprint, model.fingerprint)
        }
        let unused = (0..<0x100_0000).lazy.map(UInt32.init).first { fp in !all.contains { $0.model.fingerprint == fp } }!
        XCTAssertNil(ShippedModels.name(withFingerprint: unused))
        XCTAssertNil(ShippedModels.model(withFingerprint: unused))
    }

    func testQualityLadderRisesInBothPSNRAndBytes() throws {
        let images = try Self.testImages(50)
        var previous: (bytes: Double, psnr: Double)? = nil
        for (i, level) in QualityLadder.levels.enumerated() {
            let point = try Self.measure(Codec(model: try ShippedModels.named(level.model)), bits: level.bits, on: images)
            print(String(format: "quality %d (%@, %d bits): %.2f bytes, %.3f dB", i + 1, level.model, level.bits, point.bytes, point.psnr))
            if let previous {
                XCTAssertGreaterThan(point.psnr, previous.psnr, "quality \(i + 1) is not better than \(i)")
                XCTAssertGreaterThan(point.bytes, previous.bytes, "quality \(i + 1) is not larger than \(i)")
            }
            previous = point
        }
        XCTAssertEqual(QualityLadder.level(QualityLadder.defaultRung), QualityLadder.Level(model: ShippedModels.defaultName, bits: Codec.defaultBits))
        XCTAssertNil(QualityLadder.level(0))
        XCTAssertNil(QualityLadder.level(QualityLadder.levels.count + 1))
    }
}
