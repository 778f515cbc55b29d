import AECBase
import AECNet
import XCTest
@testable import AECCodec

/// The decoder on bytes that no encoder wrote: it must return symbols of the alphabet, read at most
/// 4 + 2 bytes per symbol, and never trap or hang. Runs in about a second in a debug build.
final class EntropyFuzzTests: XCTestCase {
    private var rng = SplitMix64(seed: 10)
    private lazy var tables: [FrequencyTable] = (0..<49).map { i in
        EntropyFixtures.table([1, 2, 3, 64, 256, 4096][i % 6], EntropyFixtures.Shape.allCases[i % 4], &rng)
    }

    func testRandomBytes() {
        for trial in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &rng)
            let bytes: [UInt8] = (0..<length).map { _ in
                switch trial % 4 {
                case 0: return 0xFF
                case 1: return UInt8.random(in: 0xF0...0xFF, using: &rng)
                default: return UInt8.random(in: 0...0xFF, using: &rng)
                }
            }
            decodeAll(bytes, "random bytes \(bytes)")
        }
    }

    func testMutatedStreams() {
        for trial in 0..<4_000 {
            let symbols = (0..<49).map { EntropyFixtures.sample(tables[$0], &rng) }
            var bytes = EntropyFixtures.encode(symbols, tables)
            let i = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch trial % 5 {
            case 0 where !bytes.isEmpty: bytes[i] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            case 1 where !bytes.isEmpty: bytes[i] = Bool.random(using: &rng) ? 0xFF : 0
            case 2: bytes.removeLast(Int.random(in: 0...bytes.count, using: &rng))
            case 3: bytes += (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: i)
            }
            decodeAll(bytes, "mutated stream \(bytes)")
        }
    }

    private func decodeAll(_ bytes: [UInt8], _ label: @autoclosure () -> String) {
        var decoder = RangeDecoder(bytes[...])
        for table in tables {
            let s = decoder.decode(with: table)
            if !(0..<table.count).contains(s) { return XCTFail("\(label()): symbol \(s) of \(table.count)") }
        }
        XCTAssertLessThanOrEqual(decoder.bytesPastEnd, 4 + 2 * tables.count, label())
    }
}
