@testable import AECCodec
import AECBase
import AECNet
import AECTestSupport
import XCTest

/// The network over whole planes (`WholePlaneNetwork`): processing in blocks must give, bit for bit, what the
/// whole plane at once gives, for any block height and width and thread count and for any plane size.
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

    func testBlocksGiveTheWholePlaneBitForBit() {  // with the float and the integer encoder
        let sizes = [(1, 1), (37, 1), (1, 37), (30, 45), (61, 23), (1500, 9), (12, 96), (130, 70)]
        for network in [Self.random, TestModels.tiny.network] {
          for encoder in [nil, FixedPointEncoder(network)] {  // the float encoder, then the integer one
            for (width, height) in sizes {
                let plane = Self.plane(width: width, height: height)
                let whole = WholePlaneNetwork(network, encoder: encoder, blockCodeRows: 1_000, blockCodeColumns: 1_000)
                let code = whole.encode(plane: plane, width: width, height: height, jobs: 1)
                let decoded = whole.decode(code: code, width: width, height: height, jobs: 1)
                let codeRows = (height + 3) / 4, codeColumns = (width + 3) / 4
                XCTAssertEqual(code.count, codeRows * codeColumns * network.architecture.codeChannels)
                XCTAssertEqual(decoded.count, width * height)
                for (rows, columns) in [(1, 1_000), (2, 1_000), (3, 7), (7, 3), (1_000, 1), (1_000, 5), (4, 4)]
                where (rows < codeRows || rows == 1 || rows == 1_000) && (columns < codeColumns || columns == 1_000) {
                    for jobs in [1, 2] {
                        let blocks = WholePlaneNetwork(network, encoder: encoder, blockCodeRows: rows, blockCodeColumns: columns)
                        let what = "\(width)×\(height), blocks of \(rows)×\(columns) code values, \(jobs) jobs, "
                            + (encoder == nil ? "float encoder" : "integer encoder")
                        XCTAssertEqual(blocks.encode(plane: plane, width: width, height: height, jobs: jobs), code, what)
                        XCTAssertEqual(blocks.decode(code: code, width: width, height: height, jobs: jobs), decoded, what)
                    }
                }
            }
          }
        }
    }

    /// The test above has teeth: with one code value less of halo, blocks differ from the whole plane, both
    /// when the blocks are cut across rows and when they are cut across columns.
    func testAHaloOneShortIsWrong() {
        let (width, height) = (64, 64)
        let plane = Self.plane(width: width, height: height)
        let whole = WholePlaneNetwork(Self.random, blockCodeRows: 1_000, blockCodeColumns: 1_000)
        let code = whole.encode(plane: plane, width: width, height: height, jobs: 1)
        let fixedWhole = WholePlaneNetwork(Self.random, encoder: FixedPointEncoder(Self.random), blockCodeRows: 1_000,
                                           blockCodeColumns: 1_000)
        let fixedCode = fixedWhole.encode(plane: plane, width: width, height: height, jobs: 1)
        for (rows, columns) in [(4, 1_000), (1_000, 4)] {
            var short = WholePlaneNetwork(Self.random, blockCodeRows: rows, blockCodeColumns: columns)
            short.haloAdjustment = -1
            XCTAssertNotEqual(short.encode(plane: plane, width: width, height: height, jobs: 1), code)
            var fixedShort = WholePlaneNetwork(Self.random, encoder: FixedPointEncoder(Self.random), blockCodeRows: rows,
                                               blockCodeColumns: columns)
            fixedShort.haloAdjustment = -1
            XCTAssertNotEqual(fixedShort.encode(plane: plane, width: width, height: height, jobs: 1), fixedCode)
            XCTAssertNotEqual(short.decode(code: code, width: width, height: height, jobs: 1),
                              whole.decode(code: code, width: width, height: height, jobs: 1))
        }
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
