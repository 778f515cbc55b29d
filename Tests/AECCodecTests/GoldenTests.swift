import AECBase
import AECCodec
import AECImage
import AECNet
import Foundation
import XCTest

/// Golden files: `.aec` files made from Samples/ with the shipped default model, and the CRC-32 of the
/// pixels they decode to. A change to the format, the entropy coder, the network arithmetic or the
/// default model changes them, and must do so on purpose:
///
///     AEC_UPDATE_GOLDEN=1 swift test --filter GoldenTests      # rewrites Tests/AECCodecTests/Golden/
///
/// The comparisons are exact with every kernel set (`EngineKernels`): each case is encoded and decoded with
/// the AVX2 + FMA kernels (where the CPU has them) and again with the portable ones, in this one process.
final class GoldenTests: XCTestCase {
    /// The kernel sets this CPU runs, the best first.
    static var kernelSets: [EngineKernels.Set] { EngineKernels.supported }

    override func tearDown() { EngineKernels.use(EngineKernels.best) }

    /// (sample, bits, half-resolution chroma, whole image): tiles (format version 3) and whole images (5).
    static let cases: [(String, Int, Bool, Bool)] = [
        ("fashion-0", 6, false, false), ("fashion-3", 4, false, false), ("mosaic-280x280", 6, false, false),
        ("gradient-rgb-61x45", 5, true, false), ("ramp-rgba-30x30", 6, false, false), ("strip-1x100", 8, false, false),
        ("gradient-rgb-61x45", 6, true, true), ("ramp-rgba-30x30", 5, false, true), ("strip-1x100", 6, false, true),
    ]

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples")

    static func goldenName(_ sample: String, _ bits: Int, _ half: Bool, _ whole: Bool) -> String {
        "\(sample)-\(bits)bit\(half ? "-420" : "")\(whole ? "-whole" : "")"
    }

    func testGoldenFiles() throws {
        let model = try ShippedModels.default()
        let codec = Codec(model: model)
        let update = ProcessInfo.processInfo.environment["AEC_UPDATE_GOLDEN"] == "1"
        var checksums: [String: UInt32] = [:]
        let checksumFile = Self.folder.appendingPathComponent("decoded-crc32.txt")
        if !update {
            let text = try String(contentsOf: checksumFile, encoding: .utf8)
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let v = UInt32(parts[1], radix: 16) { checksums[String(parts[0])] = v }
            }
        }
        var lines = ["# CRC-32 (hex) of the decoded samples of each golden .aec file; see GoldenTests.swift"]
        for (sample, bits, half, whole) in Self.cases {
            let name = Self.goldenName(sample, bits, half, whole)
            let image = try PNG.read(contentsOf: Self.samples.appendingPathComponent("\(sample).png").path)
            var options = EncodeOptions()
            options.bits = bits
            options.halfResolutionChroma = half
            options.wholeImage = whole
            let goldenURL = Self.folder.appendingPathComponent("\(name).aec")
            if update {
                try Data(try codec.encode(image, options: options).bytes).write(to: goldenURL)
            }
            let golden = try [UInt8](Data(contentsOf: goldenURL))
            // The golden file is decodable by the shipped model: same fingerprint.
            XCTAssertEqual(try AECFile(bytes: golden, maxPixels: 1 << 30).modelFingerprint, model.fingerprint,
                           "\(name): made with another model")
            for set in Self.kernelSets {
                EngineKernels.use(set)
                let encoded = try codec.encode(image, options: options).bytes
                let decoded = try codec.decode(golden)
                XCTAssertEqual([decoded.width, decoded.height], [image.width, image.height], name)
                let crc = CRC32.checksum(decoded.samples)
                if set == Self.kernelSets[0] { lines.append("\(name) \(String(crc, radix: 16))") }
                XCTAssertTrue(encoded == golden, "\(name), \(set) kernels: encoding changed (\(golden.count) → \(encoded.count) bytes; AEC_UPDATE_GOLDEN=1 if on purpose)")
                if !update { XCTAssertEqual(crc, checksums[name], "\(name), \(set) kernels: decoded pixels changed") }
            }
        }
        if update { try (lines.joined(separator: "\n") + "\n").write(to: checksumFile, atomically: true, encoding: .utf8) }
    }

    /// Files of the first release (format version 1, made with the first default model, which ships on as
    /// `small`) still decode to the same pixels. These are never regenerated (their checksums were updated
    /// once, on purpose, when decoding moved to integers).
    func testVersionOneFilesOfTheFirstReleaseStillDecode() throws {
        try checkOldFiles(in: "v1", version: 1, model: "small")
    }

    /// Files of format version 2 (before flat tiles; made with the default model) still decode to the same
    /// pixels. These are never regenerated (checksums updated once, as above).
    func testVersionTwoFilesStillDecode() throws {
        try checkOldFiles(in: "v2", version: 2, model: "default")
    }

    func checkOldFiles(in subfolder: String, version: Int, model name: String) throws {
        let folder = Self.folder.appendingPathComponent(subfolder)
        let expectedModel = try ShippedModels.named(name)
        let text = try String(contentsOf: folder.appendingPathComponent("decoded-crc32.txt"), encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            let name = String(parts[0])
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent("\(name).aec")))
            let file = try AECFile(bytes: bytes, maxPixels: 1 << 30)
            XCTAssertEqual(file.formatVersion, version, name)
            XCTAssertEqual(file.modelFingerprint, expectedModel.fingerprint, name)
            // Found among the shipped models by its fingerprint, as aec-decode does.
            let model = try XCTUnwrap(ShippedModels.model(withFingerprint: file.modelFingerprint), name)
            for set in Self.kernelSets {
                EngineKernels.use(set)
                let decoded = try Codec(model: model).decode(bytes)
                XCTAssertEqual(String(CRC32.checksum(decoded.samples), radix: 16), String(parts[1]),
                               "\(name), \(set) kernels: decoded pixels changed")
            }
            checked += 1
        }
        XCTAssertEqual(checked, Self.cases.filter { !$0.3 }.count, "the tile cases, made then")
    }
}
