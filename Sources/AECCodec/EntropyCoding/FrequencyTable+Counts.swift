import Foundation

extension FrequencyTable {
    /// Builds the table that codes data with these symbol counts in the fewest bits.
    ///
    /// Chooses integer frequencies `f` (each ≥ 1, summing to `total`) that minimise the expected code length
    /// `Σ counts[s] · log2(total / f[s])`, so every symbol stays codable even when its count is 0:
    /// 1. the real-valued optimum: `f[s] = λ · counts[s]`, except that symbols for which this is below 1 are
    ///    clamped to 1 (found smallest count first, in exact integer arithmetic);
    /// 2. rounding: floors, then the units left over go to the largest remainders (largest-remainder method);
    /// 3. fix-up: while moving one unit from one symbol to another shortens the code, move it from where it
    ///    costs least to where it gains most. The objective is a sum of concave functions, so a table that no
    ///    single move improves is optimal.
    ///
    /// Deterministic (ties go to the lower symbol). All-zero counts give a uniform table. Counts above 2^46 are
    /// scaled down first (rounding up, so a non-zero count stays non-zero); that keeps the integer products
    /// exact and changes the result by a negligible amount.
    /// - Precondition: `counts.count` is in 1...4096 and no count is negative.
    public init(counts: [Int]) {
        precondition((1...Self.maxCount).contains(counts.count), "alphabet size must be 1...\(Self.maxCount)")
        precondition(counts.allSatisfy { $0 >= 0 }, "counts must be non-negative")
        let scaled = Self.scaledCounts(counts)
        var frequencies = Self.roundedProportions(scaled)
        Self.improve(&frequencies, counts: scaled)
        var cumulative: [UInt32] = [0]
        cumulative.reserveCapacity(counts.count + 1)
        for f in frequencies { cumulative.append(cumulative[cumulative.count - 1] + UInt32(f)) }
        self.init(checked: frequencies.map { UInt32($0) }, cumulative: cumulative)
    }

    private static let maxScaledCount = 1 << 46

    /// Counts shifted right (rounding up) until the largest is at most 2^46.
    private static func scaledCounts(_ counts: [Int]) -> [Int] {
        let largest = counts.max() ?? 0
        guard largest > maxScaledCount else { return counts }
        let shift = (Int.bitWidth - largest.leadingZeroBitCount) - 46
        return counts.map { ($0 >> shift) + ($0 & ((1 << shift) - 1) == 0 ? 0 : 1) }
    }

    /// Steps 1 and 2: the clamped proportional allocation, rounded by largest remainder. Exact integers.
    private static func roundedProportions(_ counts: [Int]) -> [Int] {
        let n = counts.count, total = Int(Self.total)
        var frequencies = [Int](repeating: 1, count: n)
        var rest = counts.reduce(0, +)
        guard rest > 0 else {
            // No information: uniform, the first `total % n` symbols one unit larger.
            for s in 0..<n { frequencies[s] = total / n + (s < total % n ? 1 : 0) }
            return frequencies
        }
        // Clamp to 1 every symbol whose share λ·c = (total - clamped)·c / rest is below 1. Clamping one lowers
        // λ, so keep going up the counts until the next one no longer falls below 1.
        let byCount = (0..<n).sorted { (counts[$0], $0) < (counts[$1], $1) }
        var clamped = 0
        for s in byCount {
            guard (total - clamped) * counts[s] < rest else { break }
            clamped += 1
            rest -= counts[s]
        }
        let units = total - clamped
        var remainders: [(remainder: Int, symbol: Int)] = []
        var handedOut = 0
        for s in byCount[clamped...] {
            let (q, r) = (units * counts[s]).quotientAndRemainder(dividingBy: rest)
            frequencies[s] = q  // ≥ 1, as s was not clamped
            handedOut += q
            remainders.append((r, s))
        }
        remainders.sort { ($0.remainder, -$0.symbol) > ($1.remainder, -$1.symbol) }
        for i in 0..<(units - handedOut) { frequencies[remainders[i].symbol] += 1 }
        return frequencies
    }

    /// Step 3: single-unit moves while one shortens the code. Gains and losses are in nats, weighted by count.
    private static func improve(_ frequencies: inout [Int], counts: [Int]) {
        let n = frequencies.count
        guard n > 1 else { return }
        func gain(_ s: Int) -> Double { Double(counts[s]) * log1p(1 / Double(frequencies[s])) }
        func loss(_ s: Int) -> Double {
            frequencies[s] > 1 ? -Double(counts[s]) * log1p(-1 / Double(frequencies[s])) : .infinity
        }
        var gains = (0..<n).map(gain), losses = (0..<n).map(loss)
        // Each move strictly lowers the code length (by more than the rounding slack), so this ends; from the
        // rounded start it typically takes a handful of moves.
        while true {
            var best = 0, cheapest = 0
            for s in 1..<n {
                if gains[s] > gains[best] { best = s }
                if losses[s] < losses[cheapest] { cheapest = s }
            }
            guard best != cheapest, gains[best] > losses[cheapest] * (1 + 1e-12) else { return }
            frequencies[best] += 1
            frequencies[cheapest] -= 1
            for s in [best, cheapest] { gains[s] = gain(s); losses[s] = loss(s) }
        }
    }
}
