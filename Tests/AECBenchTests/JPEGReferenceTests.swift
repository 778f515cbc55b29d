import AECBench
import AECImage
import Foundation
import XCTest
import AECTestSupport

/// The bench's JPEG column is the real libjpeg: its mean bytes and mean PSNR on Fashion-MNIST match
/// reference measurements of libjpeg (baseline, standard Huffman tables) on the 10,000 test images.
final class JPEGReferenceTests: XCTestCase {
    /// libjpeg on the full Fashion-MNIST test set: (quality, mean bytes, mean per-image PSNR in dB).
    static let reference: [(quality: Int, bytes: Double, psnr: Double)] = [(20, 447.1, 24.14), (50, 526.1, 28.37)]

    /// Standard deviations of the per-image values over the full test set, measured by
    /// `testFullTestSetMatchesTheReference` (it prints them): (quality, bytes, PSNR dB).
    static let spread: [(quality: Int, bytes: Double, psnr: Double)] = [(20, 23.4, 1.55), (50, 41.0, 1.61)]

    static func testSet() throws -> ImageSet {
        do {
            return try BenchInput.fashionMNIST(.test)
        } catch {
            throw XCTSkip("Fashion-MNIST is not installed (\(error)); apt-get install dataset-fashion-mnist")
        }
    }

    /// Every 10th test image (1,000 images), against the full-set reference.
    ///
    /// Tolerance: the subset mean of a quantity with per-image standard deviation σ differs from the full-set
    /// mean by about σ/√1000 · √(1 − 1000/10000) (a systematic sample of a well-shuffled set behaves like a
    /// random one). We allow 4 of those standard errors: 2.8 bytes (0.6 %) at q20, 4.9 bytes (0.9 %) at q50,
    /// 0.19 dB. That is tight enough to catch the wrong Huffman tables (optimized tables save 30–35 % on these
    /// tiny files), a quality off by 5 (≈ 10 bytes at q50, ≈ 16 at q20, 0.5–1 dB), and it would fail by
    /// chance for about one subset in 15,000.
    func testEveryTenthTestImageAgreesWithTheReference() throws {
        let full = try Self.testSet()
        var subset = full
        subset.images = stride(from: 0, to: full.images.count, by: 10).map { full.images[$0] }
        let n = Double(subset.images.count)
        let correction = (1 - n / Double(full.images.count)).squareRoot()
        for (ref, spread) in zip(Self.reference, Self.spread) {
            let r = try Comparison.measure(.jpeg(quality: ref.quality, optimizedHuffman: false), on: subset.images, jobs: 2)
            let bytesTolerance = 4 * spread.bytes / n.squareRoot() * correction
            let psnrTolerance = 4 * spread.psnr / n.squareRoot() * correction
            print(String(format: "JPEG q%d on every 10th test image: %.2f bytes (reference %.1f ± %.2f), %.3f dB (reference %.2f ± %.3f)",
                         ref.quality, r.meanBytes, ref.bytes, bytesTolerance, r.meanPSNR, ref.psnr, psnrTolerance))
            XCTAssertEqual(r.meanBytes, ref.bytes, accuracy: bytesTolerance, "q\(ref.quality) bytes")
            XCTAssertEqual(r.meanPSNR, ref.psnr, accuracy: psnrTolerance, "q\(ref.quality) PSNR")
            XCTAssertEqual(r.bitsPerPixel, 8 * r.meanBytes / 784, accuracy: 1e-9)
        }
    }

    /// All 10,000 test images, within 0.5 % of the reference. Set AEC_HEAVY_TESTS=1 to run.
    func testFullTestSetMatchesTheReference() throws {
        try TestEnvironment.requireHeavyTests("the full-set JPEG check")
        let set = try Self.testSet()
        XCTAssertEqual(set.images.count, 10_000)
        for ref in Self.reference {
            let codec = BenchCodec.jpeg(quality: ref.quality, optimizedHuffman: false)
            let r = try Comparison.measure(codec, on: set.images, jobs: ProcessInfo.processInfo.activeProcessorCount)
            // The spread, for the subset test's tolerance.
            let psnrs = try set.images.map { image -> Double in
                let decoded = try codec.decode(codec.encode(image.image), channels: 1)
                return BenchMetrics.psnr(mse: Quality.mse(image.image, decoded))
            }
            let bytesSD = Self.standardDeviation(r.bytes.map(Double.init)), psnrSD = Self.standardDeviation(psnrs)
            print(String(format: "JPEG q%d on the full test set: %.2f bytes (reference %.1f), %.3f dB (reference %.2f); "
                         + "per-image SD %.1f bytes, %.2f dB", ref.quality, r.meanBytes, ref.bytes, r.meanPSNR, ref.psnr,
                         bytesSD, psnrSD))
            XCTAssertEqual(r.meanBytes, ref.bytes, accuracy: 0.005 * ref.bytes, "q\(ref.quality) bytes")
            XCTAssertEqual(r.meanPSNR, ref.psnr, accuracy: 0.005 * ref.psnr, "q\(ref.quality) PSNR")
        }
    }

    static func standardDeviation(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
    }
}
