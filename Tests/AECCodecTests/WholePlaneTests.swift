@testable import AECCodec
import AECBase
import AECNet
import AECTestSupport
import XCTest

/// The network over whole planes (`WholePlaneNetwork`): banded processing must give, bit for bit, what the
/// whole plane at once gives, for any band height and thread count and for any plane size.
final class WholePlaneTests: XCTestCase {
    /// An untrained network wide enough that every layer carries signal (2 code channels).
    static let random = Autoencoder(architecture: Architecture(w1: 8, w2: 8, w3: 4, codeChannels: 2), seed: 17)

    /// A plane with edges, gradients and texture, values in 0…1.
    static func plane(width: Int, height: Int, seed: UInt64 = 3) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<(width * height)).map { i in
            let x = i % width, y = i / width
            let base = Float((x * 7 + y * 13) % 97) / 97 * 0.6 + ((x / 5 + y / 3) % 2 == 0 ? 0.3 : 0)
            return min(1, max(0, base + Float(rng.next(below: 100)) / 1000))
        }
    }

    func testHalosOfTheNotesNetwork() {
        // Rows that differ at a band's edge — encoder: conv ×2 (2 pixel rows), pool (1), conv ×3 (4),
        // pool (2), conv ×3 with the code conv (5 code rows).
        let architecture = Architecture(w1: 64, w2: 64, w3: 32)
        XCTAssertEqual(architecture.encoderHaloCodeRows, 5)
        // Decoder: conv ×3 (3), up (6), conv ×3 (9), up (18), conv ×2 (20 pixel rows) → 5 code rows.
        XCTAssertEqual(architecture.decoderHaloCodeRows, 5)
    }

    func testBandsGiveTheWholePlaneBitForBit() {
        let sizes = [(1, 1), (37, 1), (1, 37), (30, 45), (61, 23), (1500, 9), (12, 96)]
        for network in [Self.random, TestModels.tiny.network] {
            for (width, height) in sizes {
                let plane = Self.plane(width: width, height: height)
                let whole = WholePlaneNetwork(network, bandCodeRows: 1_000)
                let code = whole.encode(plane: plane, width: width, height: height, jobs: 1)
                let decoded = whole.decode(code: code, width: width, height: height, jobs: 1)
                let codeRows = (height + 3) / 4
                XCTAssertEqual(code.count, codeRows * ((width + 3) / 4) * network.architecture.codeChannels)
                XCTAssertEqual(decoded.count, width * height)
                for rows in [1, 2, 3, 7] where rows < codeRows || rows == 1 {
                    for jobs in [1, 2] {
                        let banded = WholePlaneNetwork(network, bandCodeRows: rows)
                        let bandedCode = banded.encode(plane: plane, width: width, height: height, jobs: jobs)
                        XCTAssertEqual(bandedCode, code, "\(width)×\(height), \(rows) code rows per band, \(jobs) jobs")
                        XCTAssertEqual(banded.decode(code: code, width: width, height: height, jobs: jobs), decoded,
                                       "\(width)×\(height), \(rows) code rows per band, \(jobs) jobs")
                    }
                }
            }
        }
    }

    /// The test above has teeth: with one code row less of halo, bands differ from the whole plane.
    func testAHaloOneRowShortIsWrong() {
        let (width, height) = (40, 64)
        let plane = Self.plane(width: width, height: height)
        let whole = WholePlaneNetwork(Self.random, bandCodeRows: 1_000)
        var short = WholePlaneNetwork(Self.random, bandCodeRows: 4)
        short.haloAdjustment = -1
        let code = whole.encode(plane: plane, width: width, height: height, jobs: 1)
        XCTAssertNotEqual(short.encode(plane: plane, width: width, height: height, jobs: 1), code)
        XCTAssertNotEqual(short.decode(code: code, width: width, height: height, jobs: 1),
                          whole.decode(code: code, width: width, height: height, jobs: 1))
    }

    /// A 28×28 plane through the whole-plane path is one tile through the tile path.
    func testA28By28PlaneIsOneTile() {
        let plane = Self.plane(width: 28, height: 28)
        for network in [Self.random, try! ShippedModels.default().network] {
            let whole = WholePlaneNetwork(network)
            let tiles = TileNetwork(network)
            let code = whole.encode(plane: plane, width: 28, height: 28, jobs: 1)
            XCTAssertEqual(code, tiles.encode(tiles: plane, jobs: 1))
            XCTAssertEqual(whole.decode(code: code, width: 28, height: 28, jobs: 1), tiles.decode(codes: code, jobs: 1))
        }
    }

    func testEdgePaddingRepeatsTheLastRowAndColumn() {
        let (padded, w, h) = WholePlaneNetwork.edgePadded([1, 2, 3, 4, 5, 6], width: 3, height: 2)
        XCTAssertEqual([w, h], [4, 4])
        XCTAssertEqual(padded, [1, 2, 3, 3, 4, 5, 6, 6, 4, 5, 6, 6, 4, 5, 6, 6])
    }
}
