import CKernels

/// The 3×3, stride-1, zero-padded convolution with bias, channels-last, as im2col + `sgemm`.
///
///     in  [n, h, w, cin]     weight [3, 3, cin, cout] = [(9·cin) × cout]     bias [cout]
///     out [n, h, w, cout]    out = im2col(in) · weight + bias
///
/// Which algorithm runs, forward and backward alike: the direct loops for one input or one output channel;
/// Winograd's F(4×4, 3×3) for the wide layers (`WinogradConv3x3.supports`: ≥ 16 channels each way, in
/// multiples of 8, images ≥ 7×7), which rounds differently; otherwise, forward, an implicit GEMM that
/// reads the column matrix's rows from a padded copy of the image (`ImplicitConv3x3`, bit-identical to the
/// explicit one) where cout is a multiple of 16, else im2col + `sgemm`, and backward im2col + `sgemm`
/// (pixels in runs, `pixelsPerRun`, so that the column buffer stays in L2). The tests hold every path to
/// the definition, `forwardDirect` and its gradients written as nested loops.
public enum Conv3x3 {
    /// Pixels per im2col run: about 96K floats of column buffer, at least one GEMM row tile.
    static func pixelsPerRun(cin: Int) -> Int { max(6, (98_304 / (9 * cin)) / 6 * 6) }

    /// out = activation(conv(in) + bias). The Winograd path applies a ReLU in its output transform; every
    /// other activation and path runs `Activation.forward` over the result.
    public static func forward(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                               n: Int, h: Int, w: Int, cin: Int, cout: Int, activation: Activation = .identity,
                               workspace: Workspace) {
        if WinogradConv3x3.supports(h: h, w: w, cin: cin, cout: cout) {
            WinogradConv3x3.forward(out: out, input: input, weight: weight, bias: bias, n: n, h: h, w: w,
                                    cin: cin, cout: cout, relu: activation == .relu, workspace: workspace)
            if activation != .relu { activation.forward(out, count: n * h * w * cout) }
            return
        }
        if cout == 1 {
            SingleOutputConv.forward(out: out, input: input, weight: weight, bias: bias[0], n: n, h: h, w: w, cin: cin)
        } else if cin == 1 {
            SingleInputConv.forward(out: out, input: input, weight: weight, bias: bias, n: n, h: h, w: w, cout: cout)
        } else if ImplicitConv3x3.supports(cin: cin, cout: cout) {
            ImplicitConv3x3.forward(out: out, input: input, weight: weight, bias: bias, n: n, h: h, w: w,
                                    cin: cin, cout: cout, workspace: workspace)
        } else {
            forwardIm2col(out: out, input: input, weight: weight, bias: bias, n: n, h: h, w: w, cin: cin, cout: cout,
                          workspace: workspace)
        }
        activation.forward(out, count: n * h * w * cout)
    }

    /// The same as `forward` through an explicit column matrix: im2col, then `sgemm`. Used where the
    /// implicit GEMM does not apply (cout not a multiple of 16), and by the tests as its reference.
    static func forwardIm2col(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
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
    ///
    /// Both products are arranged so that the large operand is packed with contiguous copies: the weight
    /// gradient is accumulated transposed, dWᵀ[cout × k] += dOutᵀ · col, and added into dWeight once at the
    /// end; the input gradient multiplies by a copy of the weights transposed once per call.
    public static func backward(dInput: UnsafeMutablePointer<Float>?,
                                dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
                                dOut: UnsafePointer<Float>, input: UnsafePointer<Float>,
                                weight: UnsafePointer<Float>,
                                n: Int, h: Int, w: Int, cin: Int, cout: Int, workspace: Workspace) {
        if cout == 1 {
            SingleOutputConv.backward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input,
                                      weight: weight, n: n, h: h, w: w, cin: cin)
            return
        }
        if cin == 1 {
            SingleInputConv.backward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input,
                                     weight: weight, n: n, h: h, w: w, cout: cout)
            return
        }
        if WinogradConv3x3.supports(h: h, w: w, cin: cin, cout: cout) {
            WinogradConv3x3.backward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input,
                                     weight: weight, n: n, h: h, w: w, cin: cin, cout: cout, workspace: workspace)
            return
        }
        let pixels = n * h * w, k = 9 * cin, run = pixelsPerRun(cin: cin)
        let col = workspace.buffer(0, count: run * k)
        let dCol = workspace.buffer(1, count: run * k)
        let dWeightT = workspace.buffer(2, count: cout * k)       // [cout × k]
        let weightT = workspace.buffer(3, count: cout * k)        // [cout × k]
        dWeightT.update(repeating: 0, count: cout * k)
        if dInput != nil { transpose(weight, rows: k, cols: cout, into: weightT) }
        dInput?.update(repeating: 0, count: pixels * cin)
        var first = 0
        while first < pixels {
            let count = min(run, pixels - first)
            let dOutRun = dOut + first * cout
            for q in 0..<count { addInPlace(dBias, dOutRun + q * cout, count: cout) }
            // dWᵀ[cout × k] += dOutᵀ[cout × count] · col[count × k]
            im2col3x3(input: input, h: h, w: w, c: cin, first: first, count: count, col: col)
            sgemm(transA: true, transB: false, m: cout, n: k, k: count, a: dOutRun, lda: cout,
                  b: col, ldb: k, c: dWeightT, ldc: k, accumulate: true)
            if let dInput {
                // dCol[count × k] = dOut[count × cout] · Wᵀ[cout × k], then scatter-add into dInput.
                sgemm(transA: false, transB: false, m: count, n: k, k: cout, a: dOutRun, lda: cout,
                      b: weightT, ldb: k, c: dCol, ldc: k, accumulate: false)
                col2im3x3(col: dCol, h: h, w: w, c: cin, first: first, count: count, dInput: dInput)
            }
            first += count
        }
        // dWeight[k × cout] += (dWᵀ)ᵀ
        for r in 0..<k {
            for co in 0..<cout { dWeight[r * cout + co] += dWeightT[co * k + r] }
        }
    }

    /// out[c × r] = inᵀ for a row-major [rows × cols] matrix.
    static func transpose(_ m: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = m[r * cols + c] } }
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

/// The convolutions with one input channel (the first layer, the decoder's first layer): im2col would
/// make a K = 9 matrix product, all packing and no work, so they are direct loops vectorised over the
/// output channels — in C (`aec_single_input_forward`, `…_backward`), AVX2 + FMA or portable, chosen at
/// run time and bit-identical.
enum SingleInputConv {
    /// out[p, co] = bias[co] + Σ over taps of in[p + tap] · weight[tap, co].
    static func forward(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, n: Int, h: Int, w: Int, cout: Int) {
        aec_single_input_forward(out, input, weight, bias, n, h, w, cout)
    }

    /// dWeight[tap, co] += Σ_p in[p + tap] · dOut[p, co];  dBias[co] += Σ_p dOut[p, co];
    /// dInput[p + tap] = Σ_p Σ_co weight[tap, co] · dOut[p, co] (written, when given).
    static func backward(dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                         dBias: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, input: UnsafePointer<Float>,
                         weight: UnsafePointer<Float>, n: Int, h: Int, w: Int, cout: Int) {
        aec_single_input_backward(dInput, dWeight, dBias, dOut, input, weight, n, h, w, cout)
    }
}

/// The convolutions with one output channel (the code layer, the output layer). A 6×16 GEMM tile would
/// waste 15/16 of its work on them, and im2col would copy nine times the input to do one dot product per
/// pixel, so they are direct loops vectorised over the input channels — in C (`aec_single_output_forward`,
/// `…_backward`), AVX2 + FMA or portable, chosen at run time and bit-identical.
enum SingleOutputConv {
    /// out[p] = bias + Σ over taps and channels of in[p + tap, ci] · weight[tap, ci].
    static func forward(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                        weight: UnsafePointer<Float>, bias: Float, n: Int, h: Int, w: Int, cin: Int) {
        aec_single_output_forward(out, input, weight, bias, n, h, w, cin)
    }

    /// dWeight[tap, ci] += Σ_p dOut[p] · in[p + tap, ci];  dBias += Σ_p dOut[p];
    /// dInput[p + tap, ci] = Σ dOut[p] · weight[tap, ci] (written, when given).
    static func backward(dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                         dBias: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, input: UnsafePointer<Float>,
                         weight: UnsafePointer<Float>, n: Int, h: Int, w: Int, cin: Int) {
        aec_single_output_backward(dInput, dWeight, dBias, dOut, input, weight, n, h, w, cin)
    }
}
