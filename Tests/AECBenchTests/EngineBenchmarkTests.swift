import AECBench
import AECNet
import XCTest

/// `aec-bench engine`'s network and integer-against-float measurements run on a small network and report rates (their
/// figures are for Docs/PERFORMANCE.md, not for tests: these machines are too noisy to assert a speed).
final class EngineBenchmarkTests: XCTestCase {
    func testEncoderAndDecoderMeasurementsRun() {
        let architecture = Architecture(w1: 8, w2: 8, w3: 4, codeChannels: 2)
        let encoder = EngineBenchmark.measureEncoder(architecture, threads: 2, seconds: 0.01)
        XCTAssertGreaterThan(encoder.float, 0)
        XCTAssertGreaterThan(encoder.integer, 0)
        let before = EngineKernels.current
        let decoder = EngineBenchmark.measureDecoder(architecture, threads: 2, seconds: 0.01)
        XCTAssertGreaterThan(decoder.floatImagesPerSecond, 0)
        XCTAssertEqual(decoder.integerImagesPerSecond.map(\.set), EngineKernels.supported, "one rate per kernel set")
        XCTAssertTrue(decoder.integerImagesPerSecond.allSatisfy { $0.rate > 0 })
        XCTAssertEqual(EngineKernels.current, before, "the kernel set in use is restored")
    }

    func testNetworkMeasurementRunsForwardTwoWaysAndTraining() {
        let r = EngineBenchmark.measureNetwork(Architecture(w1: 16, w2: 16, w3: 8), threads: 2, seconds: 0.01)
        XCTAssertGreaterThan(r.forwardImagesPerSecond, 0)
        XCTAssertGreaterThan(r.inferenceImagesPerSecond, 0)
        XCTAssertGreaterThan(r.trainingImagesPerSecond, 0)
    }

    /// The Winograd table covers each distinct supported layer shape once (16/16/8: 28×28 16→16 and
    /// 14×14 16→16; the 7×7 layers have 8 channels), times both algorithms, and finds both close to the
    /// definition, F(4×4) rounding more.
    func testWinogradTableTimesBothAlgorithmsOnEachShape() {
        let t = EngineBenchmark.measureWinogradTiles(Architecture(w1: 16, w2: 16, w3: 8), n: 2, seconds: 0.001, rounds: 1)
        XCTAssertEqual(t.map { [$0.h, $0.w, $0.cin, $0.cout] }, [[28, 28, 16, 16], [14, 14, 16, 16]])
        for shape in t {
            XCTAssertTrue(shape.forward.allSatisfy { $0 > 0 } && shape.backward.allSatisfy { $0 > 0 })
            XCTAssertLessThan(shape.relativeError[1], 1e-4)
            XCTAssertLessThan(shape.relativeError[0], shape.relativeError[1])
            XCTAssertEqual(shape.chosen, .f4)
        }
    }
}
