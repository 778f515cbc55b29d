/// The 3×3, stride-1, zero-padded convolution with bias, channels-last, as im2col + `sgemm`.
///
///     in  [n, h, w, cin]     weight [3, 3, cin, cout] = [(9·cin) × cout]     bias [cout]
///     out [n, h, w, cout]    out = im2col(in) · weight + bias
///
/// Pixels are processed in runs (`pixelsPerRun`) so that the column buffer stays in L2.
public enum Conv3x3 {
    /// Pixels per im2col run: about 96K floats of column buffer, at least one GEMM row tile.
    static func pixelsPerRun(cin: Int) -> Int { max(6, (98_304 / (9 * cin)) / 6 * 6) }

    /// out = conv(in) + bias (no activation; the caller applies it in place).
    public static func forward(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                               n: Int, h: Int, w: Int, cin: Int, cout: Int, workspace: Workspace) {
        let pixels = n * h * w, k = 9 * cin, run = pixelsPerRun(cin: cin)
        let col = workspace.buffer(0, count: run * k)
        var first = 0
        while first < pixels {
            let count = min(run, pixels - first)
            let outRun = out + first * cout
            for q in 0..<count { (outRun + q * cout).update(from: bias, count: cout) }
            im2col3x3(input: input, h: h, w: w, c: cin, first: first, count: count, col: col)
            // outRun[count × cout] += col[count × k] · weight[k × cout]
            sgemm(transA: false, transB: false, m: count, n: cout, k: k, a: col, lda: k,
                  b: weight, ldb: cout, c: outRun, ldc: cout, accumulate: true)
            first += count
        }
    }

    /// Given dOut = ∂L/∂out (after the activation's backward), adds ∂L/∂weight into `dWeight` and
    /// ∂L/∂bias into `dBias`, and, when `dInput` is given, *writes* ∂L/∂in there.
    public static func backward(dInput: UnsafeMutablePointer<Float>?,
                                dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
                                dOut: UnsafePointer<Float>, input: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>,
                                n: Int, h: Int, w: Int, cin: Int, cout: Int, workspace: Workspace) {
        let pixels = n * h * w, k = 9 * cin, run = pixelsPerRun(cin: cin)
        let col = workspace.buffer(0, count: run * k)
        let dCol = workspace.buffer(1, count: run * k)
        dInput?.update(repeating: 0, count: pixels * cin)
        var first = 0
        while first < pixels {
            let count = min(run, pixels - first)
            let dOutRun = dOut + first * cout
            for q in 0..<count { addInPlace(dBias, dOutRun + q * cout, count: cout) }
            // dWeight[k × cout] += col^T[k × count] · dOut[count × cout]
            im2col3x3(input: input, h: h, w: w, c: cin, first: first, count: count, col: col)
            sgemm(transA: true, transB: false, m: k, n: cout, k: count, a: col, lda: k,
                  b: dOutRun, ldb: cout, c: dWeight, ldc: cout, accumulate: true)
            if let dInput {
                // dCol[count × k] = dOut[count × cout] · weight^T[cout × k], then scatter-add to dInput.
                sgemm(transA: false, transB: true, m: count, n: k, k: cout, a: dOutRun, lda: cout,
                      b: weight, ldb: cout, c: dCol, ldc: k, accumulate: false)
                col2im3x3(col: dCol, h: h, w: w, c: cin, first: first, count: count, dInput: dInput)
            }
            first += count
        }
    }

    /// The definition, as seven nested loops: the reference the im2col version is tested against.
    public static func forwardDirect(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                                     weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                     n: Int, h: Int, w: Int, cin: Int, cout: Int) {
        for b in 0..<n { for y in 0..<h { for x in 0..<w { for co in 0..<cout {
            var sum = Double(bias[co])
            for ky in 0..<3 { for kx in 0..<3 {
                let yy = y + ky - 1, xx = x + kx - 1
                guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                for ci in 0..<cin {
                    sum += Double(input[((b * h + yy) * w + xx) * cin + ci])
                         * Double(weight[((ky * 3 + kx) * cin + ci) * cout + co])
                }
            } }
            out[((b * h + y) * w + x) * cout + co] = Float(sum)
        } } } }
    }
}
