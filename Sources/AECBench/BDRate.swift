import Foundation

/// One point of a rate–distortion curve: a rate (bytes, or bits per pixel: any unit, the same for every
/// curve compared) and a PSNR in dB.
public struct RDPoint: Sendable, Equatable {
    public var rate: Double
    public var psnr: Double
    public init(rate: Double, psnr: Double) {
        self.rate = rate
        self.psnr = psnr
    }
}

/// Bjøntegaard's delta rate, and rates read off a curve at a given PSNR.
public enum BDRate {
    /// The average rate difference of `test` against `reference` at equal PSNR, in percent (negative: `test`
    /// needs fewer bytes), or nil when the curves' PSNR ranges do not overlap or a curve has fewer than two
    /// points.
    ///
    /// Bjøntegaard (VCEG-M33): for each curve, fit ln(rate) as a cubic polynomial of PSNR (least squares);
    /// integrate both polynomials over the PSNR range the two curves share; the difference of the integrals
    /// divided by the range's width is the mean difference in ln(rate), and `exp(mean) − 1` the delta rate.
    /// Each fit uses the curve's points inside the shared range plus the nearest point on either side of it
    /// (so that a long sweep's far ends do not bend the cubic where it is used); with fewer than four such
    /// points, or fewer distinct PSNRs, the degree drops to what the points determine.
    public static func percent(reference: [RDPoint], test: [RDPoint]) -> Double? {
        guard let overlap = overlap(reference, test) else { return nil }
        let center = (overlap.lowerBound + overlap.upperBound) / 2
        let half = (overlap.upperBound - overlap.lowerBound) / 2
        guard half > 0 else { return nil }
        guard let pRef = fit(usable(reference, in: overlap), center: center, scale: half),
              let pTest = fit(usable(test, in: overlap), center: center, scale: half) else { return nil }
        // Over t in [-1, 1] (t = (psnr − center) / half), the mean of a polynomial is ½∫P(t)dt.
        let meanDifference = (integral(pTest) - integral(pRef)) / 2
        return (exp(meanDifference) - 1) * 100
    }

    /// The rate at which `curve` reaches `psnr`: ln(rate) interpolated linearly between the two neighbouring
    /// points (sorted by PSNR), or nil outside the curve's PSNR range.
    public static func rate(at psnr: Double, on curve: [RDPoint]) -> Double? {
        let points = curve.filter { $0.rate > 0 && $0.psnr.isFinite }
            .sorted { ($0.psnr, $0.rate) < ($1.psnr, $1.rate) }
        guard let first = points.first, let last = points.last, psnr >= first.psnr, psnr <= last.psnr else { return nil }
        for i in 0..<points.count {
            let p = points[i]
            if p.psnr == psnr { return p.rate }
            if i + 1 < points.count, p.psnr < psnr, psnr < points[i + 1].psnr {
                let q = points[i + 1]
                let f = (psnr - p.psnr) / (q.psnr - p.psnr)
                return exp(log(p.rate) + f * (log(q.rate) - log(p.rate)))
            }
        }
        return nil
    }

    /// The PSNR range both curves cover.
    public static func overlap(_ a: [RDPoint], _ b: [RDPoint]) -> ClosedRange<Double>? {
        let pa = a.filter { $0.rate > 0 && $0.psnr.isFinite }.map(\.psnr)
        let pb = b.filter { $0.rate > 0 && $0.psnr.isFinite }.map(\.psnr)
        guard pa.count >= 2, pb.count >= 2, let aMin = pa.min(), let aMax = pa.max(), let bMin = pb.min(),
              let bMax = pb.max() else { return nil }
        let lo = max(aMin, bMin), hi = min(aMax, bMax)
        return lo < hi ? lo...hi : nil
    }

    /// The points of `curve` within `range`, plus the nearest one below and above it.
    static func usable(_ curve: [RDPoint], in range: ClosedRange<Double>) -> [RDPoint] {
        let points = curve.filter { $0.rate > 0 && $0.psnr.isFinite }.sorted { $0.psnr < $1.psnr }
        var chosen = points.filter { range.contains($0.psnr) }
        if let below = points.last(where: { $0.psnr < range.lowerBound }) { chosen.insert(below, at: 0) }
        if let above = points.first(where: { $0.psnr > range.upperBound }) { chosen.append(above) }
        return chosen
    }

    /// Least-squares coefficients (constant first) of ln(rate) as a polynomial of t = (psnr − center) / scale,
    /// of degree min(3, distinct PSNRs − 1).
    static func fit(_ points: [RDPoint], center: Double, scale: Double) -> [Double]? {
        let distinct = Set(points.map(\.psnr)).count
        guard distinct >= 2 else { return nil }
        var degree = min(3, distinct - 1)
        while degree >= 1 {
            if let c = leastSquares(points.map { ($0.psnr - center) / scale }, points.map { log($0.rate) }, degree: degree) {
                return c
            }
            degree -= 1
        }
        return nil
    }

    /// Solves the normal equations of a polynomial fit by Gaussian elimination with partial pivoting.
    static func leastSquares(_ t: [Double], _ y: [Double], degree: Int) -> [Double]? {
        let n = degree + 1
        var a = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
        for (ti, yi) in zip(t, y) {
            var powers = [Double](repeating: 1, count: 2 * n)
            for k in 1..<(2 * n) { powers[k] = powers[k - 1] * ti }
            for r in 0..<n {
                for c in 0..<n { a[r][c] += powers[r + c] }
                a[r][n] += powers[r] * yi
            }
        }
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 else {
                return nil
            }
            a.swapAt(col, pivot)
            for r in 0..<n where r != col {
                let f = a[r][col] / a[col][col]
                for c in col...n { a[r][c] -= f * a[col][c] }
            }
        }
        return (0..<n).map { a[$0][n] / a[$0][$0] }
    }

    /// ∫ from −1 to 1 of the polynomial with these coefficients (constant first).
    static func integral(_ c: [Double]) -> Double {
        c.enumerated().reduce(0) { sum, term in
            let k = Double(term.offset + 1)
            return sum + term.element * (1 - pow(-1, k)) / k
        }
    }
}
