import AECCodec
import AECImage
import Foundation
import XCTest

/// Every PNG in Samples/ through the shipped models as `aec-encode` uses them by default (the default
/// rung's models, chosen per image by `CodecChoice`) and back: same size, the expected model, and PSNR
/// above a floor a little under what the models give today (the measured values are in Docs/MODELS.md).
final class SampleRoundTripTests: XCTestCase {
    /// PSNR floors in dB at the default rung: 0.5 dB under what the shipped models gave
    /// (`aec-encode -v Samples -o out/`, Docs/MODELS.md). The synthetic images are far from the models'
    /// training data: the default model draws them badly, and the photo model takes them.
    static let floors: [String: Double] = [
        "fashion-0": 28.8, "fashion-1": 18.0, "fashion-2": 30.4, "fashion-3": 26.6, "fashion-4": 23.1,
        "fashion-5": 27.3, "fashion-6": 19.5, "fashion-7": 16.4, "mosaic-280x280": 22.9,
        "gradient-rgb-61x45": 32.9, "ramp-rgba-30x30": 29.1, "strip-1x100": 34.5, "photo-cat-160x120": 25.4,
    ]

    /// The samples the choice gives to the photo model (all others: the default model).
    static let photoModelSamples: Set<String> = ["photo-cat-160x120", "gradient-rgb-61x45", "ramp-rgba-30x30", "strip-1x100"]

    func testSamplesRoundTripAboveTheirFloors() throws {
        let choice = try CodecChoice.shipped(rung: QualityLadder.defaultRung)
        let candidates = choice.candidates
        XCTAssertEqual(candidates.map(\.name), [ShippedModels.defaultName, QualityLadder.photoModelName])
        let names = try FileManager.default.contentsOfDirectory(atPath: GoldenTests.samples.path)
            .filter { $0.hasSuffix(".png") }.sorted()
        XCTAssertEqual(Set(names.map { String($0.dropLast(4)) }), Set(Self.floors.keys), "a sample without a floor, or a floor without a sample")
        for name in names {
            let image = try PNG.read(contentsOf: GoldenTests.samples.appendingPathComponent(name).path)
            var options = EncodeOptions()
            options.halfResolutionChroma = true  // as aec-encode
            let result = try choice.encode(image, options: options)
            let bytes = result.encoded.bytes
            let chosen = candidates[result.chosen]
            XCTAssertEqual(chosen.name, Self.photoModelSamples.contains(String(name.dropLast(4))) ? QualityLadder.photoModelName : ShippedModels.defaultName, name)
            let decoded = try chosen.codec.decode(bytes)
            XCTAssertEqual([decoded.width, decoded.height], [image.width, image.height], name)
            // Compare the colour channels (alpha is lossless and checked elsewhere).
            let colour = { (img: Image) -> Image in
                let c = img.channels >= 3 ? 3 : 1
                let n = img.width * img.height
                return Image(width: img.width, height: img.height, channels: c,
                             samples: (0..<(n * c)).map { img.samples[($0 / c) * img.channels + $0 % c] })
            }
            let psnr = Quality.psnr(colour(image), colour(decoded))
            let floor = Self.floors[String(name.dropLast(4))] ?? 100
            print(String(format: "%@: %@, %d bytes, PSNR %.2f dB", name, chosen.name, bytes.count, psnr))
            XCTAssertGreaterThan(psnr, floor, "\(name): \(bytes.count) bytes, PSNR \(psnr) dB")
        }
    }
}
