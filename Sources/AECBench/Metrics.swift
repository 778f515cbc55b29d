import AECImage
import Foundation

/// The quality measures of the comparison, with the bench's conventions.
///
/// - PSNR: `10 · log10(255² / MSE)` with the MSE over every sample (all channels) of the 8-bit images; an
///   identical pair (MSE 0) counts as `identicalPSNR` (100 dB) so that means stay finite.
/// - SSIM: Wang, Bovik, Sheikh and Simoncelli (2004) on one plane: an 11×11 Gaussian window (σ = 1.5,
///   normalized to sum 1), K1 = 0.01, K2 = 0.03, L = 255, computed at every position where the window fits
///   inside the image (no padding) and averaged. Colour images are compared on their luma
///   `Y = 0.299 R + 0.587 G + 0.114 B` (unrounded). A plane narrower or shorter than 11 pixels is one
///   window: the whole plane with equal weights.
public enum BenchMetrics {
    public static let identicalPSNR = 100.0
    public static let ssimWindow = 11
    public static let ssimSigma = 1.5
    public static let ssimC1 = (0.01 * 255) * (0.01 * 255)
    public static let ssimC2 = (0.03 * 255) * (0.03 * 255)

    /// PSNR in dB of a mean squared error in 8-bit units; 0 gives `identicalPSNR`.
    public static func psnr(mse: Double) -> Double {
        mse == 0 ? identicalPSNR : 10 * log10(255 * 255 / mse)
    }

    /// The normalized 1-D Gaussian whose outer product with itself is the 2-D SSIM window.
    public static let gaussian: [Double] = {
        let r = ssimWindow / 2
        let g = (-r...r).map { exp(-Double($0 * $0) / (2 * ssimSigma * ssimSigma)) }
        let sum = g.reduce(0, +)
        return g.map { $0 / sum }
    }()

    /// The plane SSIM compares: gray as is, colour as luma; alpha ignored.
    public static func ssimPlane(_ image: Image) -> [Double] {
        let n = image.width * image.height, c = image.channels
        if c <= 2 { return (0..<n).map { Double(image.samples[$0 * c]) } }
        var luma = [Double](repeating: 0, count: n)
        image.samples.withUnsafeBufferPointer { s in
            for i in 0..<n {
                let r = Double(s[i * c]), g = Double(s[i * c + 1]), b = Double(s[i * c + 2])
                luma[i] = 0.299 * r + 0.587 * g + 0.114 * b
            }
        }
        return luma
    }

    /// Mean SSIM of two images of the same size (gray, or colour on luma).
    public static func ssim(_ a: Image, _ b: Image) -> Double {
        precondition(a.width == b.width && a.height == b.height, "SSIM of images of different sizes")
        return ssim(ssimPlane(a), ssimPlane(b), width: a.width, height: a.height)
    }

    /// Mean SSIM of two planes (`width × height` values, row-major, in 0...255).
    public static func ssim(_ x: [Double], _ y: [Double], width: Int, height: Int) -> Double {
        precondition(x.count == width * height && y.count == width * height, "SSIM planes of the wrong size")
        if width < ssimWindow || height < ssimWindow { return wholePlaneSSIM(x, y) }
        let w = ssimWindow
        let ow = width - w + 1, oh = height - w + 1
        // Horizontal pass: windowed sums of x, y, x², y², xy along each row → height × ow each.
        var hx = [Double](repeating: 0, count: height * ow), hy = hx, hxx = hx, hyy = hx, hxy = hx
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                gaussian.withUnsafeBufferPointer { g in
                    for r in 0..<height {
                        let row = r * width
                        for c in 0..<ow {
                            var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
                            for k in 0..<w {
                                let a = x[row + c + k], b = y[row + c + k], wk = g[k]
                                sx += wk * a; sy += wk * b
                                sxx += wk * a * a; syy += wk * b * b; sxy += wk * a * b
                            }
                            let o = r * ow + c
                            hx[o] = sx; hy[o] = sy; hxx[o] = sxx; hyy[o] = syy; hxy[o] = sxy
                        }
                    }
                }
            }
        }
        // Vertical pass and the SSIM formula at each valid position.
        var total = 0.0
        gaussian.withUnsafeBufferPointer { g in
            for r in 0..<oh {
                for c in 0..<ow {
                    var mx = 0.0, my = 0.0, exx = 0.0, eyy = 0.0, exy = 0.0
                    for k in 0..<w {
                        let o = (r + k) * ow + c, wk = g[k]
                        mx += wk * hx[o]; my += wk * hy[o]
                        exx += wk * hxx[o]; eyy += wk * hyy[o]; exy += wk * hxy[o]
                    }
                    total += formula(mx: mx, my: my, vx: exx - mx * mx, vy: eyy - my * my, cov: exy - mx * my)
                }
            }
        }
        return total / Double(ow * oh)
    }

    /// SSIM with the whole plane as one window of equal weights (planes smaller than the window).
    static func wholePlaneSSIM(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var vx = 0.0, vy = 0.0, cov = 0.0
        for i in 0..<x.count {
            vx += (x[i] - mx) * (x[i] - mx); vy += (y[i] - my) * (y[i] - my); cov += (x[i] - mx) * (y[i] - my)
        }
        return formula(mx: mx, my: my, vx: vx / n, vy: vy / n, cov: cov / n)
    }

    @inline(__always)
    static func formula(mx: Double, my: Double, vx: Double, vy: Double, cov: Double) -> Double {
        ((2 * mx * my + ssimC1) * (2 * cov + ssimC2)) / ((mx * mx + my * my + ssimC1) * (vx + vy + ssimC2))
    }
}
