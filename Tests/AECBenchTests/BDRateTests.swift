import AECBench
import Foundation
import XCTest

final class BDRateTests: XCTestCase {
    /// A JPEG-like curve: ln(rate) roughly linear in PSNR, with some curvature.
    let curve = [(20.0, 300.0), (23.0, 390.0), (26.0, 470.0), (29.0, 560.0), (32.0, 700.0), (35.0, 900.0)]
        .map { RDPoint(rate: $0.1, psnr: $0.0) }

    func testACurveAgainstItselfIsZero() throws {
        let bd = try XCTUnwrap(BDRate.percent(reference: curve, test: curve))
        XCTAssertEqual(bd, 0, accuracy: 1e-9)
    }

    func testHalvedRatesAreMinus50Percent() throws {
        let halved = curve.map { RDPoint(rate: $0.rate / 2, psnr: $0.psnr) }
        XCTAssertEqual(try XCTUnwrap(BDRate.percent(reference: curve, test: halved)), -50, accuracy: 0.1)
        XCTAssertEqual(try XCTUnwrap(BDRate.percent(reference: halved, test: curve)), 100, accuracy: 0.1)
    }

    func testRatesScaledBy1Point2ArePlus20Percent() throws {
        let scaled = curve.map { RDPoint(rate: $0.rate * 1.2, psnr: $0.psnr) }
        XCTAssertEqual(try XCTUnwrap(BDRate.percent(reference: curve, test: scaled)), 20, accuracy: 0.1)
    }

    func testTheSameCurveSampledElsewhereIsNearZero() throws {
        // ln(rate) = cubic in PSNR, sampled at different PSNRs and over a different span: the fits agree.
        func rate(_ p: Double) -> Double { exp(5 + 0.08 * (p - 20) + 0.002 * (p - 20) * (p - 20) - 0.0001 * pow(p - 20, 3)) }
        let a = stride(from: 18.0, through: 36, by: 3).map { RDPoint(rate: rate($0), psnr: $0) }
        let b = [21.3, 24.9, 27.7, 30.1, 33.8].map { RDPoint(rate: 0.7 * rate($0), psnr: $0) }
        XCTAssertEqual(try XCTUnwrap(BDRate.percent(reference: a, test: b)), -30, accuracy: 0.1)
    }

    /// One small image's curve: settings a few hundredths of a dB apart, rates going back and forth. The
    /// cubic through such points swings far outside them; the BD-rate must stay within what the points say
    /// (here the test needs 29–45 bytes where the reference needs 100–101: between −71% and −55%).
    func testCrowdedPointsDoNotExplode() throws {
        let reference = [RDPoint(rate: 100, psnr: 23.9), RDPoint(rate: 101, psnr: 24.1)]
        let test = [RDPoint(rate: 30, psnr: 23.95), RDPoint(rate: 31, psnr: 23.96), RDPoint(rate: 29, psnr: 23.97),
                    RDPoint(rate: 45, psnr: 23.98), RDPoint(rate: 33, psnr: 24.2)]
        let bd = try XCTUnwrap(BDRate.percent(reference: reference, test: test))
        XCTAssertGreaterThan(bd, -71)
        XCTAssertLessThan(bd, -55)
    }

    func testOrderOfPointsDoesNotMatter() throws {
        let shuffled = [curve[3], curve[0], curve[5], curve[1], curve[4], curve[2]]
        let halved = curve.map { RDPoint(rate: $0.rate / 2, psnr: $0.psnr) }
        XCTAssertEqual(try XCTUnwrap(BDRate.percent(reference: shuffled, test: halved)), -50, accuracy: 0.1)
    }

    func testDisjointCurvesHaveNoBDRate() {
        let low = [RDPoint(rate: 10, psnr: 10), RDPoint(rate: 20, psnr: 12), RDPoint(rate: 30, psnr: 14)]
        XCTAssertNil(BDRate.percent(reference: curve, test: low))
        XCTAssertNil(BDRate.percent(reference: curve, test: [RDPoint(rate: 300, psnr: 25)]))
    }

    // MARK: Bytes at a PSNR

    func testRateAtPSNRInterpolatesLogRate() throws {
        let handMade = [RDPoint(rate: 100, psnr: 20), RDPoint(rate: 400, psnr: 30), RDPoint(rate: 800, psnr: 32)]
        // Halfway between 20 and 30 dB in ln(rate): √(100 · 400) = 200.
        XCTAssertEqual(try XCTUnwrap(BDRate.rate(at: 25, on: handMade)), 200, accuracy: 1e-9)
        // A quarter of the way: 100 · 4^0.25 = 141.42.
        XCTAssertEqual(try XCTUnwrap(BDRate.rate(at: 22.5, on: handMade)), 100 * pow(4, 0.25), accuracy: 1e-9)
        // Between the second and third points: 400 · 2^0.5.
        XCTAssertEqual(try XCTUnwrap(BDRate.rate(at: 31, on: handMade)), 400 * 2.0.squareRoot(), accuracy: 1e-9)
        // On a point, and at both ends.
        XCTAssertEqual(BDRate.rate(at: 30, on: handMade), 400)
        XCTAssertEqual(BDRate.rate(at: 20, on: handMade), 100)
        XCTAssertEqual(BDRate.rate(at: 32, on: handMade), 800)
        // Outside the curve.
        XCTAssertNil(BDRate.rate(at: 19.99, on: handMade))
        XCTAssertNil(BDRate.rate(at: 32.01, on: handMade))
        // Unsorted input gives the same answer.
        XCTAssertEqual(try XCTUnwrap(BDRate.rate(at: 25, on: handMade.reversed())), 200, accuracy: 1e-9)
    }
}
