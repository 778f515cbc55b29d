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
    ///
    /// A cubic can swing far outside its points where they crowd or turn back — as one small image's curve
    /// does, with settings a fraction of a dB apart — and exp() of such a swing is astronomical. So a fit
    /// that leaves the range of its points' ln(rate) (widened by a tenth of that range either side)
    /// anywhere in the shared range is not used: that curve's mean ln(rate) is then taken from its points
    /// joined by straight lines (`rate(at:on:)`), which never leave their range.
    public static func percent(reference: [RDPoint], test: [RDPoint]) -> Double? {
        guard let overlap = overlap(reference, test), overlap.upperBound > overlap.lowerBound,
              let ref = meanLogRate(reference, over: overlap), let tst = meanLogRate(test, over: overlap) else { return nil }
        return (exp(tst - ref) - 1) * 100
    }

    /// The mean of ln(rate) over `range` along `curve`: from its cubic fit (see `percent`), or from its points
    /// joined by straight lines where the fit strays out of their range.
    static func meanLogRate(_ curve: [RDPoint], over range: ClosedRange<Double>) -> Double? {
        let center = (range.lowerBound + range.upperBound) / 2
        let half = (range.upperBound - range.lowerBound) / 2
        let points = usable(curve, in: range)
        guard let c = fit(points, center: center, scale: half) else { return nil }
        let logs = points.map { log($0.rate) }
        let spread = logs.max()! - logs.min()!
        let low = logs.min()! - spread / 10 - 1e-9, high = logs.max()! + spread / 10 + 1e-9
        let samples = 256
        let stays = (0...samples).allSatisfy { k in
            let t = -1 + 2 * Double(k) / Double(samples)
            let value = c.reversed().reduce(0) { $0 * t + $1 }
            return value >= low && value <= high
        }
        // Over t in [-1, 1] (t = (psnr − center) / half), the mean of a polynomial is ½∫P(t)dt.
        if stays { return integral(c) / 2 }
        // Straight lines: the trapezoid rule on a fine grid (exact enough: ln(rate) is linear between points).
        var sum = 0.0
        for k in 0...samples {
            let psnr = range.lowerBound + (range.upperBound - range.lowerBound) * Double(k) / Double(samples)
            guard let rate = rate(at: psnr, on: curve) else { return nil }
            sum += (k == 0 || k == samples ? 0.5 : 1) * log(rate)
        }
        return sum / Double(samples)
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
