import CKernels

/// The 3×3 convolution by Winograd's minimal filtering F(m×m, 3×3) (Lavin and Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016): each m×m block of output pixels ("tile") is computed from the
/// α×α input patch around it, α = m + 2, with α² multiplies per (input, output) channel pair instead of
/// 9m²: for m = 2, 16 instead of 36; for m = 4, 36 instead of 144.
///
/// For one tile, one input channel and one output channel, with d the α×α patch (one pixel of zero padding
/// around the image) and g the 3×3 kernel:
///
///     y = Aᵀ · [ (G·g·Gᵀ) ⊙ (Bᵀ·d·B) ] · A          y is m×m;  Bᵀ is α×α, G α×3, Aᵀ m×α
///
/// F(2×2, 3×3):
///
///     Bᵀ = | 1  0 −1  0 |     G = | 1    0    0  |     Aᵀ = | 1  1  1  0 |
///          | 0  1  1  0 |         | ½    ½    ½  |          | 0  1 −1 −1 |
///          | 0 −1  1  0 |         | ½   −½    ½  |
///          | 0  1  0 −1 |         | 0    0    1  |
///
/// F(4×4, 3×3) interpolates at 0, ±1, ±2 and ∞; its Bᵀ and Aᵀ, with entries up to 8, are written out in
/// winograd_vector.h, and its G in winograd.c:
///
///     G = |  ¼     0     0  |
///         | −⅙    −⅙    −⅙  |
///         | −⅙     ⅙    −⅙  |
///         | 1/24  1/12   ⅙  |
///         | 1/24 −1/12   ⅙  |
///         |  0     0     1  |
/// Its larger constants cost accuracy: its sums carry a few
/// times the rounding error of F(2×2, 3×3)'s (the tests bound both against the definition).
///
/// Summed over input channels, the α² element-wise products become α² matrix products, one per position
/// ξ of the α×α transformed tile:
///
///     V[ξ] [tiles × cin]   = Bᵀ·d·B of every tile and input channel        (input transform)
///     U[ξ] [cin × cout]    = G·g·Gᵀ of every kernel                        (weight transform)
///     M[ξ] [tiles × cout]  = V[ξ] · U[ξ]                                   (α² × sgemm)
///     out  [tile's m×m, cout] = Aᵀ·M·A + bias                              (output transform)
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
public enum WinogradConv3x3 {
    /// One of the two algorithms: F(m×m, 3×3) for output blocks of m = 2 or m = 4 pixels a side.
    public struct Tile: Equatable, Sendable, CustomStringConvertible {
        /// The side of the output block.
        public let m: Int
        /// Tiles per chunk, so that V and M of a chunk stay in L2: at 64 channels α² × chunkTiles × 64 floats
        /// each, 384 KB for F(2×2, 3×3) (96 tiles, as measured for it) and 324 KB for F(4×4, 3×3) (36 tiles:
        /// a multiple of the GEMM kernel's 6 rows of about the same size, not tuned further).
        let chunkTiles: Int

        /// The side of the input patch and of the transformed tile.
        var alpha: Int { m + 2 }
        /// The number of transformed positions ξ: one matrix product each.
        var planes: Int { alpha * alpha }
        public var description: String { "F(\(m)×\(m), 3×3)" }

        public static let f2 = Tile(m: 2, chunkTiles: 96)
        public static let f4 = Tile(m: 4, chunkTiles: 36)
    }

    /// Where the Winograd path is used: channels in multiples of 8 (the SIMD width of the transforms), at
    /// least 16 of them each way (below that the products are too thin to run at the GEMM's speed), and
    /// images of at least 7×7 (at 7×7, F(4×4, 3×3)'s four tiles use 49 of their 64 outputs and still ran
    /// the network's 7×7 layers 1.5–1.9 times faster than the implicit GEMM; nothing smaller was measured).
    public static func supports(h: Int, w: Int, cin: Int, cout: Int) -> Bool {
        cin % 8 == 0 && cout % 8 == 0 && cin >= 16 && cout >= 16 && h >= 7 && w >= 7
    }

    /// The algorithm a supported layer uses: F(4×4, 3×3), 1.8 times fewer multiplies per output pixel
    /// than F(2×2, 3×3) where whole 4×4 blocks cover the image (28×28: 7×7 blocks), still 1.4 times fewer
    /// at 14×14 (4×4 blocks covering 16×16). Measured in `aec-bench engine --layers`.
    public static func tile(h: Int, w: Int) -> Tile { .f4 }

    /// Floats from plane ξ to plane ξ + 1 of V, M and Z for `rows` tiles of `c` channels: rows · c and 16
    /// more, so that the planes, which the transforms read and write together, do not start at addresses
    /// a multiple of 4 KB apart (they would all compete for the same few L1 cache sets).
    static func planeStride(rows: Int, c: Int) -> Int { rows * c + 16 }

    /// M's row stride: cout rounded up to the GEMM kernel's 16-column panels.
    static func panelWidth(_ cout: Int) -> Int { (cout + 15) / 16 * 16 }

    // Workspace slots (0…6 belong to the im2col and implicit-GEMM paths).
    private static let slotU = 7, slotV = 8, slotM = 9, slotDU = 10, slotFlipped = 11, slotZeros = 12

    /// Tile rows and columns of an h × w image: ⌈h/m⌉ × ⌈w/m⌉ (a last partial tile reads zeros and
    /// writes only its pixels inside the image).
    static func tileGrid(h: Int, w: Int, tile: Tile) -> (rows: Int, columns: Int) {
        ((h + tile.m - 1) / tile.m, (w + tile.m - 1) / tile.m)
    }

    /// out = conv(in) + bias, like `Conv3x3.forward`, with the layer's algorithm (`tile(h:w:)`) or the one
    /// given; with `relu`, max(out, 0), applied in the output transform.
    ///
    ///     in [n, h, w, cin]   weight [3, 3, cin, cout]   bias [cout]   out [n, h, w, cout]
    ///
    /// The α² products run on the GEMM's 6×16 register tile directly (`aec_gemm_kernel_6x16_rows`): A is
    /// V as the input transform wrote it (rows of cin floats, in place), B is U as `aec_winograd_weights`
    /// packed it once per call, in panels of 16 output channels. Nothing is packed per chunk.
    public static func forward(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                               n: Int, h: Int, w: Int, cin: Int, cout: Int, relu: Bool = false, workspace: Workspace,
                               tile: Tile? = nil) {
        let tile = tile ?? self.tile(h: h, w: w)
        let ldm = panelWidth(cout), ldv = rowStride(cin)
        let u = workspace.buffer(slotU, count: tile.planes * cin * ldm)
        aec_winograd_weights(tile.m, weight, cin, cout, u)  // U [α², ldm / 16 panels, cin, 16]
        forEachChunk(input, n: n, h: h, w: w, cin: cin, cout: cout, tile: tile, workspace: workspace) { first, count, v, vStride, m in
            let rows = roundUpToKernelRows(count), mStride = planeStride(rows: rows, c: ldm)
            for xi in 0..<tile.planes {
                // M[ξ] [rows × ldm] = V[ξ] [rows × cin] · U[ξ] [cin × ldm], in 6 × 16 blocks
                let vPlane = v + xi * vStride, uPlane = u + xi * cin * ldm, mPlane = m + xi * mStride
                for panel in stride(from: 0, to: ldm, by: 16) {
                    for r in stride(from: 0, to: rows, by: 6) {
                        aec_gemm_kernel_6x16_rows(cin, vPlane + r * ldv, ldv, uPlane + panel * cin,
                                                  mPlane + r * ldm + panel, ldm)
                    }
                }
            }
            aec_winograd_output(tile.m, m, ldm, h, w, cout, first, count, mStride, bias, relu ? 1 : 0, out)
        }
    }

    /// `count` rounded up to a multiple of the GEMM kernel's 6 rows.
    private static func roundUpToKernelRows(_ count: Int) -> Int { (count + 5) / 6 * 6 }

    /// V's row stride: cin rounded up to a multiple of 6, so that the weight gradient can read V's
    /// transpose in place in blocks of six channels (the columns past cin are zero).
    static func rowStride(_ cin: Int) -> Int { roundUpToKernelRows(cin) }

    /// Cuts the batch's tiles into chunks of at most `tile.chunkTiles` and calls `body(first, count, v,
    /// vStride, m)` for each, with V [α² planes `vStride` apart, rows, rowStride(cin)] holding the chunk's
    /// transformed input (C: `aec_winograd_input`; rows = count rounded up to a multiple of 6; the rows
    /// past count and the columns past cin zero) and room at `m` for as many planes of [rows,
    /// panelWidth(cout)], each with `planeStride`'s padding.
    private static func forEachChunk(
        _ input: UnsafePointer<Float>, n: Int, h: Int, w: Int, cin: Int, cout: Int, tile: Tile, workspace: Workspace,
        _ body: (Int, Int, UnsafeMutablePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void
    ) {
        let grid = tileGrid(h: h, w: w, tile: tile), total = n * grid.rows * grid.columns, ldv = rowStride(cin)
        let maxRows = roundUpToKernelRows(tile.chunkTiles)
        let v = workspace.buffer(slotV, count: tile.planes * planeStride(rows: maxRows, c: ldv))
        let m = workspace.buffer(slotM, count: tile.planes * planeStride(rows: maxRows, c: panelWidth(cout)))
        var first = 0
        while first < total {
            let count = min(tile.chunkTiles, total - first), rows = roundUpToKernelRows(count)
            let vStride = planeStride(rows: rows, c: ldv)
            aec_winograd_input(tile.m, input, h, w, cin, ldv, first, count, vStride, v)
            for xi in 0..<tile.planes {
                let plane = v + xi * vStride
                if ldv > cin { for k in 0..<count { (plane + k * ldv + cin).update(repeating: 0, count: ldv - cin) } }
                (plane + count * ldv).update(repeating: 0, count: (rows - count) * ldv)
            }
            body(first, count, v, vStride, m)
            first += count
        }
    }

    /// Like `Conv3x3.backward`: adds ∂L/∂weight into `dWeight` and ∂L/∂bias into `dBias`, and, when
    /// `dInput` is given, writes ∂L/∂in there.
    public static func backward(dInput: UnsafeMutablePointer<Float>?,
                                dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
                                dOut: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                n: Int, h: Int, w: Int, cin: Int, cout: Int, workspace: Workspace, tile: Tile? = nil) {
        let tile = tile ?? self.tile(h: h, w: w)
        for p in 0..<(n * h * w) { addInPlace(dBias, dOut + p * cout, count: cout) }

        // Weight gradient: dU[ξ] [cin × cout] = Σ over chunks of V[ξ]ᵀ [cin × count] · Z[ξ] [count × cout],
        // Z = A·dY·Aᵀ (C: `aec_winograd_output_gradient`, in panels of 16 channels); then dW = Gᵀ·dU·G.
        // The products run on the GEMM register tile, V's transpose read in place in blocks of 6 channels,
        // into dU [α², rowStride(cin), ldu] (the rows past cin are discarded).
        let ldv = rowStride(cin), ldu = panelWidth(cout), duStride = ldv * ldu
        let du = workspace.buffer(slotDU, count: tile.planes * duStride)
        du.update(repeating: 0, count: tile.planes * duStride)
        forEachChunk(input, n: n, h: h, w: w, cin: cin, cout: cout, tile: tile, workspace: workspace) { first, count, v, vStride, z in
            let zStride = planeStride(rows: count, c: ldu)
            if ldu > cout {  // a half panel: its upper lanes must be zero
                for xi in 0..<tile.planes { (z + xi * zStride + (ldu - 16) * count).update(repeating: 0, count: 16 * count) }
            }
            aec_winograd_output_gradient(tile.m, dOut, h, w, cout, first, count, zStride, z)
            for xi in 0..<tile.planes {
                // dU[ξ] [ldv × ldu] += V[ξ]ᵀ [ldv × count] · Z[ξ] [count × ldu], in 6 × 16 blocks
                let vPlane = v + xi * vStride, zPlane = z + xi * zStride, duPlane = du + xi * duStride
                for panel in stride(from: 0, to: ldu, by: 16) {
                    for r in stride(from: 0, to: ldv, by: 6) {
                        aec_gemm_kernel_6x16_columns(count, vPlane + r, ldv, zPlane + panel * count,
                                                     duPlane + r * ldu + panel, ldu, 1)
                    }
                }
            }
        }
        aec_winograd_weight_gradient(tile.m, du, duStride, ldu, cin, cout, dWeight)

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
                workspace: workspace, tile: tile)
    }
}
