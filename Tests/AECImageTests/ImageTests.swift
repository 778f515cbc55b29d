import XCTest
@testable import AECImage

final class ImageTests: XCTestCase {
    func testToGrayUsesFullRangeLuma() {
        let rgb = Image(width: 5, height: 1, channels: 3,
                        samples: [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 10, 20, 30])
        // 0.299·255 = 76.245, 0.587·255 = 149.685, 0.114·255 = 29.07, 1.0·255, 2.99 + 11.74 + 3.42 = 18.15
        XCTAssertEqual(rgb.toGray().samples, [76, 150, 29, 255, 18])
        XCTAssertEqual(rgb.toGray().channels, 1)
    }

    func testToGrayDropsAlpha() {
        let rgba = Image(width: 1, height: 1, channels: 4, samples: [255, 255, 255, 0])
        XCTAssertEqual(rgba.toGray(), Image(width: 1, height: 1, channels: 1, samples: [255]))
        let grayAlpha = Image(width: 2, height: 1, channels: 2, samples: [7, 1, 9, 2])
        XCTAssertEqual(grayAlpha.toGray().samples, [7, 9])
        let gray = Image(width: 2, height: 1, channels: 1, samples: [3, 4])
        XCTAssertEqual(gray.toGray(), gray)
    }
}

final class QualityTests: XCTestCase {
    /// Colour channels only: alpha is left out, and gray compares with RGB as R = G = B.
    func testColourMSELeavesAlphaOutAndComparesGrayWithRGB() {
        let rgba = Image(width: 2, height: 1, channels: 4, samples: [10, 20, 30, 0, 40, 40, 40, 255])
        let rgb = Image(width: 2, height: 1, channels: 3, samples: [12, 20, 30, 40, 40, 46])
        XCTAssertEqual(Quality.colourMSE(rgba, rgb), (4 + 36) / 6.0)
        let gray = Image(width: 2, height: 1, channels: 1, samples: [20, 40])
        XCTAssertEqual(Quality.colourMSE(gray, rgb), (64 + 0 + 100 + 0 + 0 + 36) / 6.0)
        XCTAssertEqual(Quality.colourMSE(rgb, gray), Quality.colourMSE(gray, rgb))
        let grayAlpha = Image(width: 2, height: 1, channels: 2, samples: [20, 0, 43, 9])
        XCTAssertEqual(Quality.colourMSE(gray, grayAlpha), 9 / 2.0)
        XCTAssertEqual(Quality.psnr(mse: 0), .infinity)
    }

    func testPSNRAllZeroAgainstAllOne() {
        let zero = Image(width: 3, height: 2, channels: 1, samples: [UInt8](repeating: 0, count: 6))
        let one = Image(width: 3, height: 2, channels: 1, samples: [UInt8](repeating: 1, count: 6))
        XCTAssertEqual(Quality.mse(zero, one), 1)
        XCTAssertEqual(Quality.psnr(zero, one), 48.130803608679102, accuracy: 1e-9)  // 20·log10(255)
    }

    func testMSEOverAllSamples() {
        let a = Image(width: 1, height: 2, channels: 2, samples: [0, 0, 0, 0])
        let b = Image(width: 1, height: 2, channels: 2, samples: [10, 0, 0, 2])
        XCTAssertEqual(Quality.mse(a, b), 26)  // (100 + 4) / 4
        XCTAssertEqual(Quality.psnr(a, b), 10 * log10(65025 / 26.0), accuracy: 1e-12)
    }

    func testIdenticalImagesHaveInfinitePSNR() {
        let image = PNGTests.pattern(width: 8, height: 8, channels: 3)
        XCTAssertEqual(Quality.mse(image, image), 0)
        XCTAssertEqual(Quality.psnr(image, image), .infinity)
    }
}
