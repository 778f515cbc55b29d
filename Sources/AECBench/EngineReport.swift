import AECBase
import AECNet
import Foundation

/// `aec-bench engine`: the engine's speed as Markdown tables — our GEMM against the plain reference, the
/// network's forward and training images per second, the float decoder and encoder against the integer ones, and optionally the time per layer. Every figure comes
/// with a reference measured in the same run, because shared machines are noisy.
public struct EngineReport {
    public var architectures: [Architecture]
    /// Threads for the network measurements.
    public var threads: Int
    /// Seconds to time each network measurement (GEMM shapes get a quarter, layers a twentieth).
    public var seconds: Double
    /// Whether to measure the GEMM table.
    public var gemm: Bool
    /// Whether to add a per-layer table for each architecture.
    public var layers: Bool

    public init(architectures: [Architecture], threads: Int, seconds: Double, gemm: Bool = true, layers: Bool = false) {
        self.architectures = architectures; self.threads = threads; self.seconds = seconds
        self.gemm = gemm; self.layers = layers
    }

    /// Measures and hands each line to `emit` as soon as it is known.
    public func run(_ emit: (String) -> Void) {
        emit("# aec engine benchmark\n")
        emit("\(Parallel.coreCount) cores; network measured on \(threads) threads.\n")
        var kernelGflops = 0.0
        if gemm {
            emit("## GEMM (one thread): sgemm against the triple-loop reference\n")
            emit("| shape | M×N×K | sgemm GFLOPS | reference GFLOPS | speed-up | max rel. error |")
            emit("|---|---|---:|---:|---:|---:|")
            for s in EngineBenchmark.convolutionShapes() {
                let r = EngineBenchmark.measureGEMM(s, seconds: seconds / 4)
                kernelGflops = max(kernelGflops, r.gflops)
                emit(String(format: "| %@ | %d×%d×%d | %.1f | %.2f | %.0f× | %.1e |", s.name, s.m, s.n, s.k,
                            r.gflops, r.referenceGflops, r.gflops / r.referenceGflops, r.maxRelativeError))
            }
            emit("")
        }
        emit("## Network (\(threads) threads)\n")
        emit("| widths | MFLOP/tile | forward img/s | forward GFLOPS | forward, inference pass img/s | training img/s | training GFLOPS |"
             + (kernelGflops > 0 ? " forward / (best sgemm × threads) |" : ""))
        emit("|---|---:|---:|---:|---:|---:|---:|" + (kernelGflops > 0 ? "---:|" : ""))
        for a in architectures {
            let r = EngineBenchmark.measureNetwork(a, threads: threads, seconds: seconds)
            var line = String(format: "| %@ | %.1f | %.0f | %.1f | %.0f | %.0f | %.1f |", a.description,
                              2 * Double(a.macsPerTile) / 1e6, r.forwardImagesPerSecond, r.forwardGflops,
                              r.inferenceImagesPerSecond, r.trainingImagesPerSecond, r.trainingGflops)
            if kernelGflops > 0 { line += String(format: " %.0f%% |", 100 * r.forwardGflops / (kernelGflops * Double(threads))) }
            emit(line)
        }
        emit("\n## Decoder (\(threads) threads): float against integer (FixedPointDecoder)\n")
        let sets = EngineKernels.supported
        emit("| widths | float img/s | " + sets.map { "integer, \($0) img/s" }.joined(separator: " | ")
             + " | integer (\(sets[0])) / float |")
        emit("|---|---:|" + sets.map { _ in "---:|" }.joined() + "---:|")
        for a in architectures {
            let r = EngineBenchmark.measureDecoder(a, threads: threads, seconds: seconds)
            emit(String(format: "| %@ | %.0f | ", a.description, r.floatImagesPerSecond)
                 + r.integerImagesPerSecond.map { String(format: "%.0f", $0.rate) }.joined(separator: " | ")
                 + String(format: " | %.2f× |", r.integerImagesPerSecond[0].rate / r.floatImagesPerSecond))
        }
        emit("\n## Encoder (\(threads) threads, \(EngineKernels.current) kernels): float against integer (FixedPointEncoder)\n")
        emit("| widths | float img/s | integer img/s | integer / float |")
        emit("|---|---:|---:|---:|")
        for a in architectures {
            let r = EngineBenchmark.measureEncoder(a, threads: threads, seconds: seconds)
            emit(String(format: "| %@ | %.0f | %.0f | %.2f× |", a.description, r.float, r.integer, r.integer / r.float))
        }
        if layers {
            for a in architectures { layerTable(a, emit); winogradTable(a, emit) }
        }
    }

    private func layerTable(_ a: Architecture, _ emit: (String) -> Void) {
        let timings = EngineBenchmark.measureLayers(a, seconds: seconds / 20)
        let total = timings.reduce(0) { $0 + $1.forwardSeconds + $1.backwardSeconds }
        emit("\n## Layers of \(a) (one thread, 8 tiles)\n")
        emit("| # | layer | output | forward µs | backward µs | forward GFLOPS | backward GFLOPS | share of time |")
        emit("|---:|---|---|---:|---:|---:|---:|---:|")
        for t in timings {
            let name: String
            switch t.layer {
            case .conv(let cin, let cout, let act): name = "conv \(cin)→\(cout) \(act)"
            case .maxPool: name = "maxpool"
            case .upsample: name = "upsample"
            }
            let gf = { (s: Double, f: Double) in t.macs > 0 ? String(format: "%.1f", f * Double(t.macs) / s / 1e9) : "" }
            emit(String(format: "| %d | %@ | %d×%d×%d | %.1f | %.1f | %@ | %@ | %.1f%% |", t.index, name, t.shape.h, t.shape.w,
                        t.shape.c, t.forwardSeconds * 1e6, t.backwardSeconds * 1e6, gf(t.forwardSeconds, 2),
                        gf(t.backwardSeconds, 4), 100 * (t.forwardSeconds + t.backwardSeconds) / total))
        }
    }

    private func winogradTable(_ a: Architecture, _ emit: (String) -> Void) {
        let timings = EngineBenchmark.measureWinogradTiles(a, seconds: seconds / 40)
        guard !timings.isEmpty else { return }
        emit("\n## Winograd tile sizes on the layers of \(a) (one thread, 8 tiles, alternated, best of 6)\n")
        emit("| layer input | F(2×2) forward µs | F(4×4) forward µs | F(2×2) backward µs | F(4×4) backward µs | F(2×2) / F(4×4), both passes | F(2×2) max error | F(4×4) max error | used |")
        emit("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for t in timings {
            emit(String(format: "| %d×%d, %d→%d | %.1f | %.1f | %.1f | %.1f | %.2f× | %.1e | %.1e | %@ |", t.h, t.w, t.cin,
                        t.cout, t.forward[0] * 1e6, t.forward[1] * 1e6, t.backward[0] * 1e6, t.backward[1] * 1e6,
                        (t.forward[0] + t.backward[0]) / (t.forward[1] + t.backward[1]), t.relativeError[0],
                        t.relativeError[1], t.chosen.description))
        }
        emit("\nMax error: the largest difference of a forward output from the definition summed in Double, relative to the largest output (random inputs in [0, 1), weights in [−0.5, 0.5)).")
    }
}
