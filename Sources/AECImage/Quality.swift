#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Objective quality measures between two images of the same size and channel count.
public enum Quality {
    /// Mean squared error over all samples (every channel, alpha included), in units of sample values².
    /// - Precondition: `a` and `b` have the same width, height and channel count.
    public static func mse(_ a: Image, _ b: Image) -> Double {
        precondition(a.width == b.width && a.height == b.height && a.channels == b.channels,
                     "cannot compare a \(a.width)x\(a.height)x\(a.channels) image with a \(b.width)x\(b.height)x\(b.channels) one")
        var sum: UInt64 = 0
        a.samples.withUnsafeBufferPointer { x in
            b.samples.withUnsafeBufferPointer { y in
                for i in 0..<x.count {
                    let d = Int(x[i]) - Int(y[i])
                    sum &+= UInt64(d * d)
                }
            }
        }
        return Double(sum) / Double(a.samples.count)
    }

    /// Mean squared error over the colour channels only (alpha left out), where a gray image compares with
    /// an RGB one as if it were RGB with R = G = B — as when an RGB input whose channels are all equal is
    /// coded as gray.
    /// - Precondition: `a` and `b` have the same width and height.
    public static func colourMSE(_ a: Image, _ b: Image) -> Double {
        precondition(a.width == b.width && a.height == b.height,
                     "cannot compare a \(a.width)x\(a.height) image with a \(b.width)x\(b.height) one")
        let colourA = a.channels >= 3 ? 3 : 1, colourB = b.channels >= 3 ? 3 : 1
        let channels = max(colourA, colourB)
        var sum: UInt64 = 0
        a.samples.withUnsafeBufferPointer { x in
            b.samples.withUnsafeBufferPointer { y in
                for i in 0..<(a.width * a.height) {
                    for c in 0..<channels {
                        let d = Int(x[i * a.channels + (colourA == 1 ? 0 : c)]) - Int(y[i * b.channels + (colourB == 1 ? 0 : c)])
                        sum &+= UInt64(d * d)
                    }
                }
            }
        }
        return Double(sum) / Double(max(1, a.width * a.height * channels))
    }

    /// Peak signal-to-noise ratio in dB: `10 · log10(255² / MSE)` over all samples.
    /// Identical images (MSE 0) give `+infinity`.
    /// - Precondition: as `mse`.
    public static func psnr(_ a: Image, _ b: Image) -> Double {
        psnr(mse: mse(a, b))
    }

    /// `10 · log10(255² / mse)`; +infinity for 0.
    public static func psnr(mse: Double) -> Double {
        mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}
