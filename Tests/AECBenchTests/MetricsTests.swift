@testable import AECBench
import AECBase
import AECImage
import AECNet
import Foundation
import XCTest

final class MetricsTests: XCTestCase {
    // MARK: PSNR

    func testIdenticalImagesAre100dBAndSSIM1() {
        let image = Fixtures.randomImage(width: 28, height: 28, channels: 1, seed: 1)
        XCTAssertEqual(BenchMetrics.psnr(mse: Quality.mse(image, image)), 100)
        XCTAssertEqual(BenchMetrics.ssim(image, image), 1, accuracy: 1e-12)
        let colour = Fixtures.randomImage(width: 30, height: 20, channels: 3, seed: 2)
        XCTAssertEqual(BenchMetrics.ssim(colour, colour), 1, accuracy: 1e-12)
        let small = Fixtures.randomImage(width: 5, height: 40, channels: 1, seed: 3)
        XCTAssertEqual(BenchMetrics.ssim(small, small), 1, accuracy: 1e-12)
    }

    func testPSNROfAConstantOffset() {
        // Every sample off by 5 (no clipping): MSE 25, PSNR 10·log10(65025 / 25) = 34.1514 dB.
        let a = Image(width: 28, height: 28, channels: 1, samples: (0..<784).map { UInt8(10 + $0 % 200) })
        let b = Image(width: 28, height: 28, channels: 1, samples: a.samples.map { $0 + 5 })
        XCTAssertEqual(Quality.mse(a, b), 25)
        XCTAssertEqual(BenchMetrics.psnr(mse: Quality.mse(a, b)), 34.15140352195873, accuracy: 1e-9)
    }

    func testPSNROfAKnownMSE() {
        // Half the samples off by 4, half exact: MSE 8 → 10·log10(65025 / 8) = 39.09990 dB. Over all channels.
        let a = Image(width: 4, height: 2, channels: 3, samples: [UInt8](repeating: 100, count: 24))
        let b = Image(width: 4, height: 2, channels: 3, samples: (0..<24).map { $0 % 2 == 0 ? 104 : 100 })
        XCTAssertEqual(Quality.mse(a, b), 8)
        XCTAssertEqual(BenchMetrics.psnr(mse: 8), 10 * log10(65025.0 / 8), accuracy: 1e-12)
        XCTAssertEqual(BenchMetrics.psnr(mse: 8), 39.09990, accuracy: 1e-5)
    }

    // MARK: SSIM

    func testSSIMOfConstantImages() {
        // Constant planes a and b: no variance anywhere, so SSIM = (2ab + C1) / (a² + b² + C1) at every window.
        let a = Image(width: 20, height: 15, channels: 1, samples: [UInt8](repeating: 100, count: 300))
        let b = Image(width: 20, height: 15, channels: 1, samples: [UInt8](repeating: 110, count: 300))
        let c1 = 6.5025
        XCTAssertEqual(BenchMetrics.ssim(a, b), (2 * 100 * 110 + c1) / (100 * 100 + 110 * 110 + c1), accuracy: 1e-12)
        // The same constant offset on a varying image keeps the contrast-structure term at 1: SSIM is the
        // luminance term averaged over windows, strictly between 0 and 1.
        let ramp = Image(width: 20, height: 15, channels: 1, samples: (0..<300).map { UInt8($0 % 20 * 5 + 50) })
        let shifted = Image(width: 20, height: 15, channels: 1, samples: ramp.samples.map { $0 + 10 })
        let s = BenchMetrics.ssim(ramp, shifted)
        XCTAssertGreaterThan(s, 0.98)
        XCTAssertLessThan(s, 1)
    }

    func testSSIMWindowIsTheNormalizedGaussian() {
        let g = BenchMetrics.gaussian
        XCTAssertEqual(g.count, 11)
        XCTAssertEqual(g.reduce(0, +), 1, accuracy: 1e-15)
        XCTAssertEqual(g[5] / g[6], exp(1 / (2 * 1.5 * 1.5)), accuracy: 1e-12)
        XCTAssertEqual(g[0], g[10])
    }

    func testSSIMAgreesWithADirectImplementation() {
        for (i, (w, h)) in [(11, 11), (28, 28), (23, 17), (12, 40)].enumerated() {
            let a = Fixtures.randomImage(width: w, height: h, channels: 1, seed: UInt64(10 + i))
            // b: a plus noise, so that the SSIM is neither 0 nor 1.
            var rng = SplitMix64(seed: UInt64(20 + i))
            let b = Image(width: w, height: h, channels: 1,
                          samples: a.samples.map { UInt8(clamping: Int($0) + rng.next(below: 121) - 60) })
            let expected = Self.directSSIM(BenchMetrics.ssimPlane(a), BenchMetrics.ssimPlane(b), width: w, height: h)
            XCTAssertEqual(BenchMetrics.ssim(a, b), expected, accuracy: 1e-9, "\(w)x\(h)")
            XCTAssertGreaterThan(expected, 0.05)
            XCTAssertLessThan(expected, 0.95)
        }
    }

    func testColourSSIMIsLumaSSIM() {
        let a = Fixtures.randomImage(width: 16, height: 14, channels: 3, seed: 31)
        let b = Fixtures.randomImage(width: 16, height: 14, channels: 3, seed: 32)
        func luma(_ image: Image) -> [Double] {
            (0..<(16 * 14)).map { (i: Int) -> Double in
                let r = Double(image.samples[3 * i]), g = Double(image.samples[3 * i + 1]), b = Double(image.samples[3 * i + 2])
                return 0.299 * r + 0.587 * g + 0.114 * b
            }
        }
        XCTAssertEqual(BenchMetrics.ssim(a, b), Self.directSSIM(luma(a), luma(b), width: 16, height: 14), accuracy: 1e-9)
    }

    func testSSIMOfImagesSmallerThanTheWindowUsesTheWholeImage() {
        let a = Fixtures.randomImage(width: 7, height: 30, channels: 1, seed: 41)
        let b = Fixtures.randomImage(width: 7, height: 30, channels: 1, seed: 42)
        let x = a.samples.map(Double.init), y = b.samples.map(Double.init)
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var vx = 0.0, vy = 0.0, cov = 0.0
        for i in 0..<x.count {
            vx += (x[i] - mx) * (x[i] - mx)
            vy += (y[i] - my) * (y[i] - my)
            cov += (x[i] - mx) * (y[i] - my)
        }
        vx /= n; vy /= n; cov /= n
        let c1 = 6.5025, c2 = 58.5225
        let numerator: Double = (2 * mx * my + c1) * (2 * cov + c2)
        let denominator: Double = (mx * mx + my * my + c1) * (vx + vy + c2)
        let expected = numerator / denominator
        XCTAssertEqual(BenchMetrics.ssim(a, b), expected, accuracy: 1e-12)
    }

    /// SSIM the slow, obvious way: for every window position, the 2-D Gaussian weights, weighted means, then
    /// weighted variances and covariance about those means (two passes), then the formula.
    static func directSSIM(_ x: [Double], _ y: [Double], width: Int, height: Int) -> Double {
        var weights = [[Double]](repeating: [Double](repeating: 0, count: 11), count: 11)
        var sum = 0.0
        for i in 0..<11 {
            for j in 0..<11 {
                weights[i][j] = exp(-Double((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5))
                sum += weights[i][j]
            }
        }
        let c1: Double = (0.01 * 255) * (0.01 * 255), c2: Double = (0.03 * 255) * (0.03 * 255)
        var total = 0.0, count = 0
        for top in 0...(height - 11) {
            for left in 0...(width - 11) {
                var mx = 0.0, my = 0.0
                for i in 0..<11 {
                    for j in 0..<11 {
                        let w = weights[i][j] / sum, p = (top + i) * width + left + j
                        mx += w * x[p]
                        my += w * y[p]
                    }
                }
                var vx = 0.0, vy = 0.0, cov = 0.0
                for i in 0..<11 {
                    for j in 0..<11 {
                        let w = weights[i][j] / sum, p = (top + i) * width + left + j
                        vx += w * (x[p] - mx) * (x[p] - mx)
                        vy += w * (y[p] - my) * (y[p] - my)
                        cov += w * (x[p] - mx) * (y[p] - my)
                    }
                }
                total += (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
                count += 1
            }
        }
        return total / Double(count)
    }
}
