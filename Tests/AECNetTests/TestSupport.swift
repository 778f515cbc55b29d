import Foundation
import XCTest
import AECBase
import AECTestSupport
@testable import AECNet

// Helpers shared by the AECNet tests: seeded random data, comparisons with a stated tolerance, and the
// switch for the heavy tests.

/// `count` floats uniform in `range`, drawn from `rng` (so every test is reproducible from its seed).
func randomFloats(_ count: Int, _ rng: inout SplitMix64, in range: ClosedRange<Float> = -1...1) -> [Float] {
    (0..<count).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextUnitFloat() }
}

/// A uniformly random integer in 0..<bound.
func randomIndex(_ bound: Int, _ rng: inout SplitMix64) -> Int { Int(rng.next() % UInt64(bound)) }

/// `count` distinct indices from 0..<bound (all of them when count ≥ bound), in increasing order.
func randomSubset(_ count: Int, of bound: Int, _ rng: inout SplitMix64) -> [Int] {
    guard count < bound else { return Array(0..<bound) }
    var all = Array(0..<bound)
    for i in 0..<count { all.swapAt(i, i + randomIndex(bound - i, &rng)) }
    return all[0..<count].sorted()
}

func maxAbs<C: Collection>(_ xs: C) -> Float where C.Element == Float { xs.reduce(0) { max($0, abs($1)) } }

/// Asserts `actual ≈ expected` element-wise with |actual − expected| ≤ relativeTolerance · max|expected|
/// (plus `absoluteFloor`): the error is measured against the largest magnitude of the whole array, the
/// natural scale for sums of products whose individual entries may cancel to near zero.
func assertClose(_ actual: [Float], _ expected: [Float], relativeTolerance: Float, absoluteFloor: Float = 0,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(message()): \(actual.count) values, expected \(expected.count)", file: file, line: line)
        return
    }
    let tolerance = relativeTolerance * maxAbs(expected) + absoluteFloor
    var worst = 0, worstError: Float = -1
    for i in actual.indices {
        let e = abs(actual[i] - expected[i])
        if !(e <= worstError) { worst = i; worstError = e.isNaN ? .infinity : e }
    }
    if !(worstError <= tolerance) {
        XCTFail("\(message()): element \(worst) is \(actual[worst]), expected \(expected[worst]) "
                + "(error \(worstError) > tolerance \(tolerance))", file: file, line: line)
    }
}

/// Asserts two float arrays are identical bit for bit (NaN payloads and signed zeros included).
func assertBitEqual(_ actual: [Float], _ expected: [Float], _ message: @autoclosure () -> String = "",
                    file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, message(), file: file, line: line)
    guard actual.count == expected.count else { return }
    if let i = actual.indices.first(where: { actual[$0].bitPattern != expected[$0].bitPattern }) {
        XCTFail("\(message()): element \(i) has bits \(String(actual[i].bitPattern, radix: 16)), "
                + "expected \(String(expected[i].bitPattern, radix: 16))", file: file, line: line)
    }
}

/// Whether the slow tests run (`TestEnvironment.heavyTestsEnabled`).
var heavyTestsEnabled: Bool { TestEnvironment.heavyTestsEnabled }

/// Throws XCTSkip unless `AEC_HEAVY_TESTS=1`.
func requireHeavyTests(_ what: String) throws { try TestEnvironment.requireHeavyTests(what) }

extension Array where Element == Float {
    /// Calls `body` with a mutable pointer to the elements (a shorthand for the layer APIs).
    mutating func withPointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}

/// Runs `body` with read-only pointers to two arrays.
func withPointers<R>(_ a: [Float], _ b: [Float],
                     _ body: (UnsafePointer<Float>, UnsafePointer<Float>) throws -> R) rethrows -> R {
    try a.withUnsafeBufferPointer { pa in try b.withUnsafeBufferPointer { pb in try body(pa.baseAddress!, pb.baseAddress!) } }
}

/// Σ r[i] · x[i] in Double: the scalar loss L = Σ r ⊙ out whose gradient with respect to `out` is `r`.
func weightedSum(_ r: [Float], _ x: UnsafePointer<Float>) -> Double {
    var s = 0.0
    for i in r.indices { s += Double(r[i]) * Double(x[i]) }
    return s
}
