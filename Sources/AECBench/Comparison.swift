import AECBase
import AECImage
import AECNet
import Dispatch

/// What one codec at one setting did on the image set.
public struct SettingResult: Sendable {
    public var curve: String
    public var family: String
    public var setting: String
    public var parameter: Int
    public var isAEC: Bool
    public var images: Int
    /// Mean size of the whole compressed file, in bytes.
    public var meanBytes: Double
    /// 8 · (all bytes) / (all pixels).
    public var bitsPerPixel: Double
    /// Mean of the per-image PSNRs (identical images count as `BenchMetrics.identicalPSNR`).
    public var meanPSNR: Double
    /// Images decoded identical to the original.
    public var identical: Int
    /// PSNR of the mean of the per-image MSEs.
    public var psnrOfMeanMSE: Double
    public var meanSSIM: Double
    /// Images per second with `jobs` threads, each coding whole images; only the codec calls are timed.
    public var encodeImagesPerSecond: Double
    public var decodeImagesPerSecond: Double
    /// The same rates in megapixels (10⁶ pixels) per second.
    public var encodeMegapixelsPerSecond: Double
    public var decodeMegapixelsPerSecond: Double
    /// The file size of each image, in the order of the image set.
    public var bytes: [Int]
    /// The PSNR of each image (identical images count as `BenchMetrics.identicalPSNR`), in the same order.
    public var psnrs: [Double]

    /// The point on the rate–distortion curve: mean bytes against mean PSNR.
    public var point: RDPoint { RDPoint(rate: meanBytes, psnr: meanPSNR) }
}

public enum Comparison {
    /// Encodes every image with `codec`, decodes every file, and measures size, PSNR and SSIM.
    ///
    /// Three phases, each over all images on `jobs` threads: encode (timed), decode (timed), then the
    /// measures (not timed). Only the codec calls happen inside the timed phases: no I/O, no progress
    /// reporting. `progress` is called after each phase with the number of images it finished.
    public static func measure(_ codec: BenchCodec, on images: [BenchImage], jobs: Int,
                               progress: ((Int) -> Void)? = nil) throws -> SettingResult {
        let n = images.count
        precondition(n > 0, "nothing to measure")
        let inputs = images.map(\.image)
        var failures = [String?](repeating: nil, count: n)

        var files = [[UInt8]](repeating: [], count: n)
        let encodeSeconds = timed {
            files.withUnsafeMutableBufferPointer { out in
                failures.withUnsafeMutableBufferPointer { fail in
                    Parallel.forEach(n, threads: jobs) { _, i in
                        do { out[i] = try codec.encode(inputs[i]) } catch { fail[i] = "encoding: \(error)" }
                    }
                }
            }
        }
        try check(failures, codec, images)
        progress?(n)

        var decoded = [Image?](repeating: nil, count: n)
        let decodeSeconds = timed {
            decoded.withUnsafeMutableBufferPointer { out in
                failures.withUnsafeMutableBufferPointer { fail in
                    Parallel.forEach(n, threads: jobs) { _, i in
                        do { out[i] = try codec.decode(files[i], channels: inputs[i].channels) } catch { fail[i] = "decoding: \(error)" }
                    }
                }
            }
        }
        try check(failures, codec, images)
        progress?(n)

        var mse = [Double](repeating: 0, count: n), ssim = mse
        mse.withUnsafeMutableBufferPointer { mse in
            ssim.withUnsafeMutableBufferPointer { ssim in
                failures.withUnsafeMutableBufferPointer { fail in
                    Parallel.forEach(n, threads: jobs) { _, i in
                        guard let d = decoded[i], d.width == inputs[i].width, d.height == inputs[i].height else {
                            fail[i] = "decoded image has the wrong size"
                            return
                        }
                        mse[i] = Quality.mse(inputs[i], d)
                        ssim[i] = BenchMetrics.ssim(inputs[i], d)
                    }
                }
            }
        }
        try check(failures, codec, images)
        progress?(n)

        let sizes = files.map(\.count)
        let pixels = inputs.reduce(0) { $0 + $1.width * $1.height }
        let meanMSE = mse.reduce(0, +) / Double(n)
        return SettingResult(
            curve: codec.curve, family: codec.family, setting: codec.setting, parameter: codec.parameter,
            isAEC: codec.isAEC, images: n,
            meanBytes: Double(sizes.reduce(0, +)) / Double(n),
            bitsPerPixel: 8 * Double(sizes.reduce(0, +)) / Double(pixels),
            meanPSNR: mse.reduce(0) { $0 + BenchMetrics.psnr(mse: $1) } / Double(n),
            identical: mse.filter { $0 == 0 }.count,
            psnrOfMeanMSE: BenchMetrics.psnr(mse: meanMSE),
            meanSSIM: ssim.reduce(0, +) / Double(n),
            encodeImagesPerSecond: Double(n) / max(encodeSeconds, 1e-9),
            decodeImagesPerSecond: Double(n) / max(decodeSeconds, 1e-9),
            encodeMegapixelsPerSecond: Double(pixels) / 1e6 / max(encodeSeconds, 1e-9),
            decodeMegapixelsPerSecond: Double(pixels) / 1e6 / max(decodeSeconds, 1e-9),
            bytes: sizes, psnrs: mse.map { BenchMetrics.psnr(mse: $0) })
    }

    /// Seconds of wall-clock time that `body` takes.
    static func timed(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private static func check(_ failures: [String?], _ codec: BenchCodec, _ images: [BenchImage]) throws {
        if let i = failures.firstIndex(where: { $0 != nil }), let reason = failures[i] {
            throw BenchError.codecFailed(codec: "\(codec.curve) \(codec.setting)", image: images[i].name, reason: reason)
        }
    }
}
