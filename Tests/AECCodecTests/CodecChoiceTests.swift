@testable import AECCodec
import AECImage
import AECTestSupport
import XCTest

/// `CodecChoice`: the candidate with the smallest (MSE + 1) × bytes on the image (small images) or on its
/// central region (large ones) codes it; the result is one candidate's own file, whatever the jobs.
final class CodecChoiceTests: XCTestCase {
    /// Two different models, each at two bit depths: the tiny model of two seeds.
    static let candidates: [CodecChoice.Candidate] = {
        let a = Codec(model: TestModels.tiny)
        let b = Codec(model: try! CodecModel(bytes: TinyModel.file(seed: 9).serialized(), name: "tiny-9"))
        return [CodecChoice.Candidate(codec: a, bits: 2, name: "a2"), CodecChoice.Candidate(codec: a, bits: 6, name: "a6"),
                CodecChoice.Candidate(codec: b, bits: 3, name: "b3"), CodecChoice.Candidate(codec: b, bits: 6, name: "b6")]
    }()

    /// The cost of coding `image` with `candidate`, and the file, computed here the long way.
    func cost(_ candidate: CodecChoice.Candidate, _ image: Image) throws -> (cost: Double, bytes: [UInt8]) {
        var options = EncodeOptions()
        options.bits = candidate.bits
        let bytes = try candidate.codec.encode(image, options: options).bytes
        let decoded = try candidate.codec.decode(bytes)
        return ((Quality.colourMSE(image, decoded) + 1) * Double(bytes.count), bytes)
    }

    func testASmallImageGetsTheCheapestCandidatesOwnFile() throws {
        for (k, image) in [TestModels.image(width: 28, height: 28, channels: 1),
                           SyntheticImages.random(width: 60, height: 44, channels: 3, seed: 3),
                           TestModels.image(width: 100, height: 90, channels: 3)].enumerated() {
            let costs = try Self.candidates.map { try cost($0, image) }
            let expected = costs.indices.min { costs[$0].cost < costs[$1].cost }!
            let result = try CodecChoice(candidates: Self.candidates).encode(image)
            XCTAssertEqual(result.chosen, expected, "image \(k): costs \(costs.map(\.cost))")
            XCTAssertEqual(result.encoded.bytes, costs[expected].bytes, "image \(k): the chosen candidate's own file")
            // The order of the candidates does not matter (no ties here).
            let reversed = try CodecChoice(candidates: Self.candidates.reversed()).encode(image)
            XCTAssertEqual(reversed.chosen, Self.candidates.count - 1 - expected, "image \(k)")
        }
        // With a single candidate there is nothing to try.
        let image = TestModels.image(width: 40, height: 30, channels: 3)
        let one = try CodecChoice(candidates: [Self.candidates[2]]).encode(image)
        XCTAssertEqual(one.chosen, 0)
        XCTAssertEqual(one.encoded.bytes, try cost(Self.candidates[2], image).bytes)
    }

    func testEqualCandidatesGoToTheFirst() throws {
        let image = TestModels.image(width: 50, height: 50, channels: 1)
        let same = CodecChoice(candidates: [Self.candidates[1], Self.candidates[1], Self.candidates[1]])
        XCTAssertEqual(try same.encode(image).chosen, 0)
    }

    func testALargeImageIsChosenOnItsCentreAndCodedWhole() throws {
        let image = SyntheticImages.random(width: 300, height: 260, channels: 3, seed: 8)
        let centre = CodecChoice.centralRegion(of: image, side: CodecChoice.trialSide)
        XCTAssertEqual(centre.width, 224)
        XCTAssertEqual(centre.height, 224)
        // At even coordinates: (300 − 224) / 2 = 38, (260 − 224) / 2 = 18.
        XCTAssertEqual(Array(centre.samples[0..<3]), Array(image.samples[((18 * 300) + 38) * 3 ..< ((18 * 300) + 38) * 3 + 3]))
        let costs = try Self.candidates.map { try cost($0, centre) }
        let expected = costs.indices.min { costs[$0].cost < costs[$1].cost }!

        var options = EncodeOptions()
        options.jobs = 1
        let one = try CodecChoice(candidates: Self.candidates).encode(image, options: options)
        options.jobs = 3
        let three = try CodecChoice(candidates: Self.candidates).encode(image, options: options)
        XCTAssertEqual(one.chosen, expected)
        XCTAssertEqual(three.chosen, expected)
        XCTAssertEqual(one.encoded.bytes, three.encoded.bytes, "the same file for any number of jobs")
        var direct = EncodeOptions()
        direct.bits = Self.candidates[expected].bits
        XCTAssertEqual(one.encoded.bytes, try Self.candidates[expected].codec.encode(image, options: direct).bytes,
                       "the whole image coded with the chosen candidate")
    }

    func testOddSizedRegionsAndBadImages() throws {
        let narrow = TestModels.image(width: 501, height: 7, channels: 1)
        let centre = CodecChoice.centralRegion(of: narrow, side: 224)
        XCTAssertEqual(centre.width, 224)
        XCTAssertEqual(centre.height, 7)
        XCTAssertNoThrow(try CodecChoice(candidates: Self.candidates).encode(narrow))
        // Too large for the options: refused before any candidate is tried, as by a codec.
        var options = EncodeOptions()
        options.maxPixels = 1000
        XCTAssertThrowsError(try CodecChoice(candidates: Self.candidates).encode(narrow, options: options)) { error in
            XCTAssertTrue("\(error)".contains("pixels"), "\(error)")
        }
    }
}
