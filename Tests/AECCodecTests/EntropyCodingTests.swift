import AECBase
import Foundation
import XCTest
@testable import AECCodec
import AECNet

/// Tables and streams shared by the entropy-coding tests.
enum EntropyFixtures {
    enum Shape: CaseIterable { case randomCounts, geometric, dominant, randomFrequencies }

    static func table(_ n: Int, _ shape: Shape, _ rng: inout SplitMix64) -> FrequencyTable {
        switch shape {
        case .randomCounts:
            return FrequencyTable(counts: (0..<n).map { _ in Int.random(in: 0...1000, using: &rng) })
        case .geometric:
            return FrequencyTable(counts: (0..<n).map { Int(1e9 * pow(0.8, Double($0))) })
        case .dominant:
            // One symbol holds total - (n - 1), every other the minimum 1.
            var f = [UInt32](repeating: 1, count: n)
            f[Int.random(in: 0..<n, using: &rng)] = FrequencyTable.total - UInt32(n - 1)
            return try! FrequencyTable(frequencies: f)
        case .randomFrequencies:
            // n - 1 distinct random cut points in 1..<total split 0...total into n non-empty parts.
            var cuts = Set<UInt32>()
            while cuts.count < n - 1 { cuts.insert(UInt32.random(in: 1..<FrequencyTable.total, using: &rng)) }
            let edges = [0] + cuts.sorted() + [FrequencyTable.total]
            return try! FrequencyTable(frequencies: (0..<n).map { edges[$0 + 1] - edges[$0] })
        }
    }

    /// A symbol drawn with the table's own probabilities.
    static func sample(_ table: FrequencyTable, _ rng: inout SplitMix64) -> Int {
        table.symbol(containing: UInt32.random(in: 0..<FrequencyTable.total, using: &rng))
    }

    static func encode(_ symbols: [Int], _ tables: [FrequencyTable]) -> [UInt8] {
        var encoder = RangeEncoder()
        for (i, s) in symbols.enumerated() { encoder.encode(s, with: tables[i % tables.count]) }
        return encoder.finish()
    }
}

final class EntropyCodingTests: XCTestCase {
    // MARK: FrequencyTable(counts:)

    func testCountsHandCheckable() throws {
        XCTAssertEqual(FrequencyTable(counts: [1, 1]).frequencies, [32768, 32768])
        XCTAssertEqual(FrequencyTable(counts: [3, 1]).frequencies, [49152, 16384])
        XCTAssertEqual(FrequencyTable(counts: [5, 0]).frequencies, [65535, 1])
        XCTAssertEqual(FrequencyTable(counts: [0, 0, 0, 0]).frequencies, [16384, 16384, 16384, 16384])
        XCTAssertEqual(FrequencyTable(counts: [0, 0, 0]).frequencies, [21846, 21845, 21845])
        XCTAssertEqual(FrequencyTable(counts: [7]).frequencies, [65536])
        XCTAssertEqual(FrequencyTable(counts: [1, 2, 3]).cumulative, [0, 10923, 32768, 65536])
    }

    func testCountsGiveValidTables() {
        var rng = SplitMix64(seed: 1)
        for n in [1, 2, 3, 64, 256, 4096] {
            for trial in 0..<6 {
                let counts: [Int] = (0..<n).map { _ in
                    switch trial {
                    case 0: return 0
                    case 1: return Int.random(in: 0...3, using: &rng)
                    case 2: return Bool.random(using: &rng) ? 0 : Int.random(in: 0...1_000_000, using: &rng)
                    case 3: return Int.random(in: 0...Int.max / 4096, using: &rng)
                    case 4: return Int.random(in: 0...1, using: &rng) == 0 ? Int.max : 0
                    default: return Int.random(in: 0...100, using: &rng)
                    }
                }
                let table = FrequencyTable(counts: counts)
                XCTAssertEqual(table.count, n)
                XCTAssertEqual(table.frequencies.reduce(0, +), FrequencyTable.total, "n \(n) trial \(trial)")
                XCTAssertGreaterThanOrEqual(table.frequencies.min() ?? 0, 1)
                XCTAssertEqual(table.cumulative.first, 0)
                XCTAssertEqual(table.cumulative.last, FrequencyTable.total)
                XCTAssertEqual(try FrequencyTable(frequencies: table.frequencies), table)
                // Larger counts never get smaller frequencies; equal counts differ by at most one unit.
                let order = (0..<n).sorted { (counts[$0], $0) < (counts[$1], $1) }
                for (a, b) in zip(order, order.dropFirst()) {
                    if counts[a] < counts[b] {
                        XCTAssertLessThanOrEqual(table.frequencies[a], table.frequencies[b], "n \(n) trial \(trial)")
                    } else {
                        XCTAssertLessThanOrEqual(abs(Int(table.frequencies[a]) - Int(table.frequencies[b])), 1)
                    }
                }
                // Zero counts get the minimum, unless every count is zero (then the table is uniform).
                if counts.contains(where: { $0 > 0 }) {
                    for s in 0..<n where counts[s] == 0 { XCTAssertEqual(table.frequencies[s], 1) }
                } else {
                    XCTAssertLessThanOrEqual(table.frequencies.max()! - table.frequencies.min()!, 1)
                }
            }
        }
    }

    func testCountsDeterministic() {
        var rng = SplitMix64(seed: 2)
        let counts = (0..<256).map { _ in Int.random(in: 0...500, using: &rng) }
        XCTAssertEqual(FrequencyTable(counts: counts), FrequencyTable(counts: counts))
    }

    /// Compares with the textbook optimum: starting from 1 each, hand out the units one at a time to the
    /// symbol whose code length it shortens most (optimal for a sum of concave terms).
    func testCountsMinimiseExpectedCodeLength() {
        var rng = SplitMix64(seed: 3)
        func codeLength(_ f: [UInt32], _ counts: [Int]) -> Double {
            zip(f, counts).reduce(0) { $0 + Double($1.1) * (16 - log2(Double($1.0))) }
        }
        for n in [2, 3, 5, 8] {
            for trial in 0..<4 {
                let counts: [Int] = (0..<n).map { _ in
                    let c = Int.random(in: 0...100_000, using: &rng)
                    return trial == 0 ? c & 3 : c >> (trial * 4)
                }
                var greedy = [UInt32](repeating: 1, count: n)
                func gain(_ s: Int) -> Double { Double(counts[s]) * log1p(1 / Double(greedy[s])) }
                for _ in 0..<(Int(FrequencyTable.total) - n) {
                    var best = 0
                    for s in 1..<n where gain(s) > gain(best) { best = s }
                    greedy[best] += 1
                }
                let built = FrequencyTable(counts: counts).frequencies
                XCTAssertEqual(codeLength(built, counts), codeLength(greedy, counts), accuracy: 1e-6,
                               "counts \(counts): built \(built), optimum \(greedy)")
            }
        }
    }

    /// The optimality condition for large alphabets, where the greedy reference is too slow: no single unit
    /// moved from one symbol to another shortens the code. Heavy tails leave many symbols with a few units
    /// each, where plain largest-remainder rounding is not optimal.
    func testCountsNoSingleMoveImproves() {
        var rng = SplitMix64(seed: 11)
        for n in [64, 256, 4096] {
            for trial in 0..<4 {
                let counts: [Int] = (0..<n).map { s in
                    let tail = 1e7 / pow(Double(s + 1), 1 + Double(trial) / 2)
                    return Int(tail * Double.random(in: 0.5...1.5, using: &rng))
                }
                let f = FrequencyTable(counts: counts).frequencies
                let gains = (0..<n).map { Double(counts[$0]) * log1p(1 / Double(f[$0])) }
                let losses = (0..<n).map { f[$0] > 1 ? -Double(counts[$0]) * log1p(-1 / Double(f[$0])) : .infinity }
                let best = gains.indices.max { gains[$0] < gains[$1] }!
                let cheapest = losses.indices.min { losses[$0] < losses[$1] || (losses[$0] == losses[$1] && $0 != best) }!
                if best != cheapest {
                    XCTAssertLessThanOrEqual(gains[best], losses[cheapest] * (1 + 1e-9),
                                             "n \(n) trial \(trial): moving a unit from \(cheapest) to \(best) helps")
                }
            }
        }
    }

    // MARK: FrequencyTable validation, lookup, cost, serialization

    func testFrequenciesRejectInvalid() {
        XCTAssertThrowsError(try FrequencyTable(frequencies: []))
        XCTAssertThrowsError(try FrequencyTable(frequencies: [UInt32](repeating: 16, count: 4097)))
        XCTAssertThrowsError(try FrequencyTable(frequencies: [0, 65536]))
        XCTAssertThrowsError(try FrequencyTable(frequencies: [1, 65534]))
        XCTAssertThrowsError(try FrequencyTable(frequencies: [1, 65536]))
        XCTAssertThrowsError(try FrequencyTable(frequencies: [UInt32.max, 1, 65536]))
        XCTAssertNoThrow(try FrequencyTable(frequencies: [UInt32](repeating: 16, count: 4096)))
        XCTAssertNoThrow(try FrequencyTable(frequencies: [65536]))
    }

    func testSymbolLookupMatchesCumulative() {
        var rng = SplitMix64(seed: 4)
        for n in [1, 2, 3, 64, 256, 4096] {
            for shape in EntropyFixtures.Shape.allCases {
                let table = EntropyFixtures.table(n, shape, &rng)
                var s = 0
                for v in 0..<FrequencyTable.total {
                    while table.cumulative[s + 1] <= v { s += 1 }
                    if table.symbol(containing: v) != s {
                        XCTFail("n \(n) \(shape): value \(v) gave \(table.symbol(containing: v)), expected \(s)")
                        break
                    }
                }
            }
        }
    }

    func testCost() throws {
        let table = try FrequencyTable(frequencies: [32768, 16384, 16383, 1])
        XCTAssertEqual(table.cost(of: 0), 1, accuracy: 1e-12)
        XCTAssertEqual(table.cost(of: 1), 2, accuracy: 1e-12)
        XCTAssertEqual(table.cost(of: 3), 16, accuracy: 1e-12)
    }

    func testSerializationRoundTrip() throws {
        var rng = SplitMix64(seed: 5)
        for n in [1, 2, 3, 64, 256, 4096] {
            for shape in EntropyFixtures.Shape.allCases {
                let table = EntropyFixtures.table(n, shape, &rng)
                let bytes = table.serialized()
                XCTAssertEqual(bytes.count, 2 + 2 * n)
                // Parse from the middle of a larger buffer: a slice whose indices do not start at 0.
                let buffer = [0xAB, 0xCD] + bytes + [0xEF]
                let (parsed, used) = try FrequencyTable.parse(buffer[2...])
                XCTAssertEqual(parsed, table)
                XCTAssertEqual(used, bytes.count)
            }
        }
        XCTAssertEqual(try FrequencyTable(frequencies: [65536]).serialized(), [1, 0, 0xFF, 0xFF])
        XCTAssertEqual(try FrequencyTable(frequencies: [65535, 1]).serialized(), [2, 0, 0xFE, 0xFF, 0, 0])
    }

    func testParseRejectsTruncatedAndInvalid() throws {
        let bytes = FrequencyTable(counts: [5, 1, 0, 9]).serialized()
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try FrequencyTable.parse(bytes[..<length]), "length \(length)")
        }
        XCTAssertThrowsError(try FrequencyTable.parse([0, 0][...]))                          // 0 symbols
        XCTAssertThrowsError(try FrequencyTable.parse([0x01, 0x10] + [UInt8](repeating: 0, count: 8194)))  // 4097
        XCTAssertThrowsError(try FrequencyTable.parse([2, 0, 0xFF, 0xFF, 0, 0][...]))         // sum 65537
        XCTAssertThrowsError(try FrequencyTable.parse([2, 0, 0xFD, 0xFF, 0, 0][...]))         // sum 65535
        XCTAssertThrowsError(try FrequencyTable.parse([2, 0, 0xFF, 0xFF, 0xFF, 0xFF][...]))   // sum 131072
        XCTAssertThrowsError(try FrequencyTable.parse([3, 0][...])) { error in
            XCTAssertEqual("\(error)", "frequency table truncated: 2 bytes, need 8")
        }
    }

    // MARK: Range coder

    func testRoundTripRandomStreams() {
        var rng = SplitMix64(seed: 6)
        for n in [1, 2, 3, 64, 256, 4096] {
            for shape in EntropyFixtures.Shape.allCases {
                let table = EntropyFixtures.table(n, shape, &rng)
                for length in [0, 1, 2, 49, 10_000] {
                    for uniform in [false, true] {
                        // Symbols from the table's distribution, or uniform (many improbable symbols).
                        let symbols = (0..<length).map { _ in
                            uniform ? Int.random(in: 0..<n, using: &rng) : EntropyFixtures.sample(table, &rng)
                        }
                        assertRoundTrip(symbols, [table], "n \(n) \(shape) length \(length) uniform \(uniform)")
                    }
                }
            }
        }
    }

    /// The codec uses one table per code position: 49 different tables, cycled.
    func testRoundTripMixingTables() {
        var rng = SplitMix64(seed: 7)
        let tables = (0..<49).map { i in
            EntropyFixtures.table([1, 2, 3, 64, 256, 4096][i % 6], EntropyFixtures.Shape.allCases[i % 4], &rng)
        }
        for length in [0, 1, 2, 49, 98, 10_000] {
            for _ in 0..<(length <= 98 ? 50 : 2) {
                let symbols = (0..<length).map { EntropyFixtures.sample(tables[$0 % 49], &rng) }
                assertRoundTrip(symbols, tables, "length \(length)")
            }
        }
    }

    /// The least probable symbol of a table with a dominant one, repeatedly: 16 bits a symbol, so the
    /// interval shrinks as fast as it can and carries ripple through long runs of 0xFF.
    func testRoundTripExtremes() throws {
        var rng = SplitMix64(seed: 8)
        for n in [2, 3, 4096] {
            for dominant in [0, n - 1] {
                var f = [UInt32](repeating: 1, count: n)
                f[dominant] = FrequencyTable.total - UInt32(n - 1)
                let table = try FrequencyTable(frequencies: f)
                for rare in [0, n - 1] where rare != dominant {
                    assertRoundTrip([Int](repeating: rare, count: 5000), [table], "rare \(rare) of \(n)")
                    assertRoundTrip([Int](repeating: dominant, count: 5000), [table], "dominant \(dominant) of \(n)")
                    let mixed = (0..<5000).map { _ in Bool.random(using: &rng) ? rare : dominant }
                    assertRoundTrip(mixed, [table], "mixed \(n)")
                }
            }
        }
        // Symbol 0 always takes the bottom of the interval, so a run of it writes only zero bytes; the last 4
        // are dropped (no more, to keep `bytesPastEnd` ≤ 4): 1000 · log2(1/0.9) bits ≈ 19 bytes, 4 + 19 read.
        let zeros = EntropyFixtures.encode([Int](repeating: 0, count: 1000), [FrequencyTable(counts: [9, 1])])
        XCTAssertEqual(zeros, [UInt8](repeating: 0, count: 19))
    }

    /// The bound the decoder uses to refuse short payloads holds for every stream: the bytes a stream takes
    /// are at least its symbols' least costs (`FrequencyTable.leastCost`) / 8 − 2. Tables are skewed, with
    /// the heavy symbol sometimes last (where the coder's rounding remainder makes symbols cheapest).
    func testPayloadsAreNeverShorterThanTheLeastCostOfTheirSymbols() throws {
        var rng = SplitMix64(seed: 77)
        for round in 0..<300 {
            let n = 2 + rng.next(below: 63)
            var counts = (0..<n).map { _ in UInt32(1 + rng.next(below: 20)) }
            counts[round % 2 == 0 ? n - 1 : rng.next(below: n)] += UInt32(rng.next(below: 60_000))
            let sum = counts.reduce(0, +)
            var frequencies = counts.map { max(1, $0 * 60_000 / sum) }
            frequencies[frequencies.indices.max { frequencies[$0] < frequencies[$1] }!] += FrequencyTable.total - frequencies.reduce(0, +)
            let table = try FrequencyTable(frequencies: frequencies)
            let heavy = frequencies.indices.max { frequencies[$0] < frequencies[$1] }!
            var encoder = RangeEncoder()
            let count = 1 + rng.next(below: 5000)
            for _ in 0..<count { encoder.encode(rng.next(below: 10) == 0 ? rng.next(below: n) : heavy, with: table) }
            let bytes = encoder.finish()
            XCTAssertGreaterThanOrEqual(8 * Double(bytes.count + 2), Double(count) * table.leastCost, "round \(round)")
        }
    }

    func testEmptyStreamAndEncoderReuse() {
        var encoder = RangeEncoder()
        XCTAssertEqual(encoder.finish(), [])
        let table = FrequencyTable(counts: [1, 2, 3, 4])
        for s in [3, 1, 2] { encoder.encode(s, with: table) }
        let first = encoder.finish()
        for s in [3, 1, 2] { encoder.encode(s, with: table) }
        XCTAssertEqual(encoder.finish(), first, "finish() must leave a fresh encoder")
        var decoder = RangeDecoder([][...])
        XCTAssertEqual(decoder.decode(with: table), 0)
        XCTAssertEqual(decoder.bytesPastEnd, 4)
    }

    /// Pins the bitstream format: any change to the coder's arithmetic or termination changes these bytes.
    /// (Cross-checked against an independent big-integer model of the coder, with no carry machinery.)
    func testGoldenStream() throws {
        let tables = [
            try FrequencyTable(frequencies: [UInt32](repeating: 1024, count: 64)),
            try FrequencyTable(frequencies: (0..<16).map { 32768 >> $0 } + [1]),
            try FrequencyTable(frequencies: [1, 65534, 1]),
        ]
        var rng = SplitMix64(seed: 2024)
        let symbols = (0..<99).map { EntropyFixtures.sample(tables[$0 % 3], &rng) }
        let bytes = EntropyFixtures.encode(symbols, tables)
        XCTAssertEqual(bytes, [
            249, 89, 57, 6, 139, 168, 180, 50, 161, 194, 16, 58, 212, 201, 29, 114, 219,
            179, 102, 77, 182, 58, 164, 164, 109, 110, 96, 0, 185, 171, 212, 93, 91,
        ])
        assertRoundTrip(symbols, tables, "golden")
    }

    /// Termination costs less than one byte: the shortest byte string inside the final interval [L, L + R)
    /// is at most ceil of its information content, and rounding r = floor(R / 2^16) down loses at most 2^-8
    /// of R per symbol (< 0.0057 bits, ≤ 0.035 bytes over 49 symbols). So every stream is within
    /// 1 + 0.035 bytes of Σ −log2 p / 8, and the mean is about half a byte (rounding up to whole bytes),
    /// less where trailing zeros are dropped; a naive 4-byte flush would be near 4.5.
    func testTerminationOverhead() {
        var rng = SplitMix64(seed: 9)
        let table = FrequencyTable(counts: (0..<64).map { Int(1e9 * pow(0.8, Double($0))) })
        var total = 0.0
        for trial in 0..<1000 {
            let symbols = (0..<49).map { _ in EntropyFixtures.sample(table, &rng) }
            let ideal = symbols.reduce(0) { $0 + table.cost(of: $1) } / 8
            let overhead = Double(EntropyFixtures.encode(symbols, [table]).count) - ideal
            XCTAssertLessThan(overhead, 1 + 49 * -log2(1 - 1.0 / 256) / 8, "stream \(trial)")
            total += overhead
        }
        XCTAssertLessThan(total / 1000, 0.5, "mean termination overhead in bytes")
    }

    // MARK: Helpers

    private func assertRoundTrip(_ symbols: [Int], _ tables: [FrequencyTable], _ label: String,
                                 file: StaticString = #filePath, line: UInt = #line) {
        let bytes = EntropyFixtures.encode(symbols, tables)
        var decoder = RangeDecoder(bytes[...])
        for (i, s) in symbols.enumerated() {
            let decoded = decoder.decode(with: tables[i % tables.count])
            if decoded != s {
                return XCTFail("\(label): symbol \(i) decoded as \(decoded), expected \(s)", file: file, line: line)
            }
        }
        XCTAssertLessThanOrEqual(decoder.bytesPastEnd, RangeDecoder.maxBytesPastEnd, label, file: file, line: line)
        if bytes.last == 0 {  // trailing zeros are dropped up to the phantom-byte limit
            XCTAssertEqual(decoder.bytesPastEnd, RangeDecoder.maxBytesPastEnd, label, file: file, line: line)
        }
    }
}
