import AECBase
import AECNet
import Foundation

/// Test-set quality as the codec will deliver it: the code rounded to the chosen bits, the output rounded
/// to 8 bits, PSNR computed per tile against the 8-bit original and averaged over tiles.
public enum Evaluation {
    /// PSNR of an identical tile (whose MSE is 0), so that the mean stays finite.
    public static let identicalPSNR = 100.0

    public struct Result: Sendable {
        public var meanPSNR: Double
        /// Mean squared error on [0, 1] pixels of the float output with the quantized code.
        public var meanMSE: Double
        public var tiles: Int
    }

    public static func run(model: Autoencoder, source: any TileSource, count: Int? = nil, bits: Int?,
                           threads: Int = Parallel.coreCount) -> Result {
        let total = min(count ?? source.count, source.count)
        let chunk = 16, tile = Architecture.tileSide * Architecture.tileSide
        let chunks = (total + chunk - 1) / chunk
        let workers = max(1, min(threads, chunks))
        let passes = (0..<workers).map { _ in ForwardPass(architecture: model.architecture, capacity: chunk) }
        var psnr = [Double](repeating: 0, count: total), mse = psnr
        let quantizer = bits.map { CodeQuantizer(bits: $0) }
        let codeCount = model.architecture.codeCount
        psnr.withUnsafeMutableBufferPointer { psnr in
            mse.withUnsafeMutableBufferPointer { mse in
                Parallel.forEach(chunks, threads: workers) { worker, c in
                    let pass = passes[worker]
                    let first = c * chunk, n = min(chunk, total - first)
                    for j in 0..<n {
                        source.tile(first + j, epoch: 0,
                                    into: UnsafeMutableBufferPointer(start: pass.input + j * tile, count: tile))
                    }
                    model.forward(pass, n: n) { code, n in quantizer?.quantize(code, count: n * codeCount) }
                    for j in 0..<n {
                        var se8 = 0.0, se = 0.0
                        for i in (j * tile)..<((j + 1) * tile) {
                            let y = pass.output[i], x = pass.input[i]
                            let y8 = (min(max(y, 0), 1) * 255).rounded(), x8 = (x * 255).rounded()
                            se8 += Double((y8 - x8) * (y8 - x8))
                            se += Double((y - x) * (y - x))
                        }
                        let m8 = se8 / Double(tile)
                        psnr[first + j] = m8 == 0 ? identicalPSNR : 10 * log10(255 * 255 / m8)
                        mse[first + j] = se / Double(tile)
                    }
                }
            }
        }
        return Result(meanPSNR: psnr.reduce(0, +) / Double(max(total, 1)),
                      meanMSE: mse.reduce(0, +) / Double(max(total, 1)), tiles: total)
    }
}
