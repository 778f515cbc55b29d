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

    /// Peak signal-to-noise ratio in dB: `10 · log10(255² / MSE)` over all samples.
    /// Identical images (MSE 0) give `+infinity`.
    /// - Precondition: as `mse`.
    public static func psnr(_ a: Image, _ b: Image) -> Double {
        let error = mse(a, b)
        if error == 0 { return .infinity }
        return 10 * log10(255 * 255 / error)
    }
}
