import CKernels

/// The 3×3 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016): each 2×2 block of output pixels ("tile") is computed from the
/// 4×4 input patch around it with 16 multiplies per (input, output) channel pair instead of 36.
///
/// For one tile, one input channel and one output channel, with d the 4×4 patch (one pixel of zero padding
/// around the image) and g the 3×3 kernel:
///
///     y = Aᵀ · [ (G·g·Gᵀ) ⊙ (Bᵀ·d·B) ] · A          y is 2×2
///
///     Bᵀ = | 1  0 −1  0 |     G = | 1    0    0  |     Aᵀ = | 1  1  1  0 |
///          | 0  1  1  0 |         | ½    ½    ½  |          | 0  1 −1 −1 |
///          | 0 −1  1  0 |         | ½   −½    ½  |
///          | 0  1  0 −1 |         | 0    0    1  |
///
/// Summed over input channels, the 16 element-wise products become 16 matrix products, one per position
/// ξ of the 4×4 transformed tile:
///
///     V[ξ] [tiles × cin]   = Bᵀ·d·B of every tile and input channel        (input transform)
///     U[ξ] [cin × cout]    = G·g·Gᵀ of every kernel                        (weight transform)
///     M[ξ] [tiles × cout]  = V[ξ] · U[ξ]                                   (16 × sgemm)
///     out  [tile's 2×2, cout] = Aᵀ·M·A + bias                              (output transform)
///
/// The backward pass stays in the same algorithm: the input gradient is the forward convolution of dOut
/// with the kernels flipped and their channels swapped; the weight gradient is, per ξ,
/// dU[ξ] [cin × cout] = V[ξ]ᵀ · (A·dY·Aᵀ)[ξ] summed over tiles, brought back to 3×3 by dW = Gᵀ·dU·G.
/// So a training step does no im2col or col2im at all, and every large product has K = cin (forward and
/// input gradient) or K = tiles (weight gradient).
///
/// Tiles are numbered over the whole batch (image, tile row, tile column) and processed in chunks of
/// `chunkTiles`, so that V and M of a chunk stay in L2. The arithmetic differs from im2col + `sgemm` (other
/// sums, in another order): results agree to rounding, not bit for bit (`ConvolutionTests`), and the
/// same inputs give the same bits on any number of threads, because each thread works on whole images.
enum WinogradConv3x3 {
    /// Where the Winograd path is used: channels in multiples of 8 (the SIMD width of the transforms), at
    /// least 16 of them each way (below that the 16 products are too thin to run at the GEMM's speed),
    /// and images of at least 8×8 (at 7×7 only 49 of the 64 pixels of the 16 tiles are used).
    static func supports(h: Int, w: Int, cin: Int, cout: Int) -> Bool {
        cin % 8 == 0 && cout % 8 == 0 && cin >= 16 && cout >= 16 && h >= 8 && w >= 8
    }

    /// Tiles per chunk: V and M of a chunk at 64 channels are 16 × 96 × 64 floats each (384 KB).
    static let chunkTiles = 96

    /// Floats from plane ξ to plane ξ + 1 of V, M and Z for `count` tiles of `c` channels: count · c and 16
    /// more, so that the 16 planes, which the transforms read and write together, do not start at addresses
    /// a multiple of 4 KB apart (they would all compete for the same few L1 cache sets).
    static func planeStride(count: Int, c: Int) -> Int { count * c + 16 }

    // Workspace slots (0…6 belong to the im2col and implicit-GEMM paths).
    private static let slotU = 7, slotV = 8, slotM = 9, slotDU = 10, slotFlipped = 11, slotZeros = 12

    /// Tile rows and columns of an h × w image: ⌈h/2⌉ × ⌈w/2⌉ (a last half tile reads zeros and writes
    /// only its pixels inside the image).
    static func tileGrid(h: Int, w: Int) -> (rows: Int, columns: Int) { ((h + 1) / 2, (w + 1) / 2) }

    /// out = conv(in) + bias, like `Conv3x3.forward`.
    ///
    ///     in [n, h, w, cin]   weight [3, 3, cin, cout]   bias [cout]   out [n, h, w, cout]
    static func forward(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        n: Int, h: Int, w: Int, cin: Int, cout: Int, workspace: Workspace) {
        let u = workspace.buffer(slotU, count: 16 * cin * cout)
        transformWeights(weight, cin: cin, cout: cout, into: u)
        forEachChunk(input, n: n, h: h, w: w, cin: cin, cout: cout, workspace: workspace) { first, count, v, vStride, m, mStride in
            for xi in 0..<16 {
                // M[ξ] [count × cout] = V[ξ] [count × cin] · U[ξ] [cin × cout]
                sgemm(transA: false, transB: false, m: count, n: cout, k: cin, a: v + xi * vStride, lda: cin,
                      b: u + xi * cin * cout, ldb: cout, c: m + xi * mStride, ldc: cout, accumulate: false)
            }
            transformOutput(m, h: h, w: w, c: cout, first: first, count: count, stride: mStride, bias: bias, into: out)
        }
    }

    /// Cuts the batch's tiles into chunks of at most `chunkTiles` and calls `body(first, count, v, vStride,
    /// m, mStride)` for each, with V [16 planes `vStride` apart, count, cin] holding the chunk's transformed
    /// input and room for as many planes of [count, cout] at `m`.
    private static func forEachChunk(
        _ input: UnsafePointer<Float>, n: Int, h: Int, w: Int, cin: Int, cout: Int, workspace: Workspace,
        _ body: (Int, Int, UnsafeMutablePointer<Float>, Int, UnsafeMutablePointer<Float>, Int) -> Void
    ) {
        let grid = tileGrid(h: h, w: w), total = n * grid.rows * grid.columns
        let v = workspace.buffer(slotV, count: 16 * planeStride(count: chunkTiles, c: cin))
        let m = workspace.buffer(slotM, count: 16 * planeStride(count: chunkTiles, c: cout))
        var first = 0
        while first < total {
            let count = min(chunkTiles, total - first)
            let vStride = planeStride(count: count, c: cin)
            transformInput(input, h: h, w: w, c: cin, first: first, count: count, stride: vStride, into: v)
            body(first, count, v, vStride, m, planeStride(count: count, c: cout))
            first += count
        }
    }

    /// Like `Conv3x3.backward`: adds ∂L/∂weight into `dWeight` and ∂L/∂bias into `dBias`, and, when
    /// `dInput` is given, writes ∂L/∂in there.
    static func backward(dInput: UnsafeMutablePointer<Float>?,
                         dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
                         dOut: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                         n: Int, h: Int, w: Int, cin: Int, cout: Int, workspace: Workspace) {
        for p in 0..<(n * h * w) { addInPlace(dBias, dOut + p * cout, count: cout) }

        // Weight gradient: dU[ξ] [cin × cout] = Σ over chunks of V[ξ]ᵀ [cin × count] · Z[ξ] [count × cout],
        // Z = A·dY·Aᵀ; then dW = Gᵀ·dU·G.
        let du = workspace.buffer(slotDU, count: 16 * cin * cout)
        du.update(repeating: 0, count: 16 * cin * cout)
        forEachChunk(input, n: n, h: h, w: w, cin: cin, cout: cout, workspace: workspace) { first, count, v, vStride, z, zStride in
            transformOutputGradient(dOut, h: h, w: w, c: cout, first: first, count: count, stride: zStride, into: z)
            for xi in 0..<16 {
                sgemm(transA: true, transB: false, m: cin, n: cout, k: count, a: v + xi * vStride, lda: cin,
                      b: z + xi * zStride, ldb: cout, c: du + xi * cin * cout, ldc: cout, accumulate: true)
            }
        }
        addWeightGradient(du, cin: cin, cout: cout, into: dWeight)

        // Input gradient: the forward convolution of dOut with flipped[ky][kx][co][ci] = weight[2−ky][2−kx][ci][co].
        guard let dInput else { return }
        let flipped = workspace.buffer(slotFlipped, count: 9 * cin * cout)
        for tap in 0..<9 {
            let from = weight + (8 - tap) * cin * cout, to = flipped + tap * cout * cin
            for ci in 0..<cin { for co in 0..<cout { to[co * cin + ci] = from[ci * cout + co] } }
        }
        let zeros = workspace.buffer(slotZeros, count: cin)
        zeros.update(repeating: 0, count: cin)
        forward(out: dInput, input: dOut, weight: flipped, bias: zeros, n: n, h: h, w: w, cin: cout, cout: cin,
                workspace: workspace)
    }

    // MARK: The transforms

    /// U[ξ][ci][co] = (G·g·Gᵀ)[ξ] for the kernel g of (ci, co).   weight [3, 3, cin, cout] → u [16, cin, cout]
    static func transformWeights(_ weight: UnsafePointer<Float>, cin: Int, cout: Int, into u: UnsafeMutablePointer<Float>) {
        let plane = cin * cout
        for i in 0..<plane {  // i = ci·cout + co: the same offset in every tap of `weight` and every ξ of `u`
            @inline(__always) func g(_ ky: Int, _ kx: Int) -> Float { weight[(ky * 3 + kx) * plane + i] }
            // Row `row` of G·g (three values), times Gᵀ, into U[4·row…4·row+3].
            @inline(__always) func emit(_ row: Int, _ a: Float, _ b: Float, _ c: Float) {
                u[(row * 4) * plane + i] = a
                u[(row * 4 + 1) * plane + i] = 0.5 * (a + b + c)
                u[(row * 4 + 2) * plane + i] = 0.5 * (a - b + c)
                u[(row * 4 + 3) * plane + i] = c
            }
            emit(0, g(0, 0), g(0, 1), g(0, 2))
            emit(1, 0.5 * (g(0, 0) + g(1, 0) + g(2, 0)), 0.5 * (g(0, 1) + g(1, 1) + g(2, 1)), 0.5 * (g(0, 2) + g(1, 2) + g(2, 2)))
            emit(2, 0.5 * (g(0, 0) - g(1, 0) + g(2, 0)), 0.5 * (g(0, 1) - g(1, 1) + g(2, 1)), 0.5 * (g(0, 2) - g(1, 2) + g(2, 2)))
            emit(3, g(2, 0), g(2, 1), g(2, 2))
        }
    }

    /// dW[tap][ci][co] += (Gᵀ·dU·G)[tap] for every (ci, co).   du [16, cin, cout] → dWeight [3, 3, cin, cout]
    static func addWeightGradient(_ du: UnsafePointer<Float>, cin: Int, cout: Int, into dWeight: UnsafeMutablePointer<Float>) {
        let plane = cin * cout
        for i in 0..<plane {
            @inline(__always) func d(_ xi: Int) -> Float { du[xi * plane + i] }
            // Row `ky` of Gᵀ·dU (four values), times G, added into dW[ky][0…2].
            @inline(__always) func emit(_ ky: Int, _ a: Float, _ b: Float, _ c: Float, _ e: Float) {
                dWeight[(ky * 3) * plane + i] += a + 0.5 * (b + c)
                dWeight[(ky * 3 + 1) * plane + i] += 0.5 * (b - c)
                dWeight[(ky * 3 + 2) * plane + i] += 0.5 * (b + c) + e
            }
            emit(0, d(0) + 0.5 * (d(4) + d(8)), d(1) + 0.5 * (d(5) + d(9)), d(2) + 0.5 * (d(6) + d(10)), d(3) + 0.5 * (d(7) + d(11)))
            emit(1, 0.5 * (d(4) - d(8)), 0.5 * (d(5) - d(9)), 0.5 * (d(6) - d(10)), 0.5 * (d(7) - d(11)))
            emit(2, 0.5 * (d(4) + d(8)) + d(12), 0.5 * (d(5) + d(9)) + d(13), 0.5 * (d(6) + d(10)) + d(14), 0.5 * (d(7) + d(11)) + d(15))
        }
    }

    /// V[ξ][k][ci] = (Bᵀ·d·B)[ξ] for tile first + k, d its 4×4 input patch (C: `aec_winograd_input`).
    ///
    ///     input [n, h, w, c] → v [16 planes `stride` apart, count, c]
    static func transformInput(_ input: UnsafePointer<Float>, h: Int, w: Int, c: Int, first: Int, count: Int,
                               stride: Int, into v: UnsafeMutablePointer<Float>) {
        aec_winograd_input(input, h, w, c, first, count, stride, v)
    }

    /// The tile's pixels inside the image = (Aᵀ·M·A) + bias (C: `aec_winograd_output`).
    ///
    ///     m [16 planes `stride` apart, count, c] → out [n, h, w, c]
    static func transformOutput(_ m: UnsafePointer<Float>, h: Int, w: Int, c: Int, first: Int, count: Int,
                                stride: Int, bias: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        aec_winograd_output(m, h, w, c, first, count, stride, bias, out)
    }

    /// Z[ξ][k][co] = (A·dY·Aᵀ)[ξ], dY tile first + k's 2×2 output gradient (C: `aec_winograd_output_gradient`).
    ///
    ///     dOut [n, h, w, c] → z [16 planes `stride` apart, count, c]
    static func transformOutputGradient(_ dOut: UnsafePointer<Float>, h: Int, w: Int, c: Int, first: Int, count: Int,
                                        stride: Int, into z: UnsafeMutablePointer<Float>) {
        aec_winograd_output_gradient(dOut, h, w, c, first, count, stride, z)
    }
}
