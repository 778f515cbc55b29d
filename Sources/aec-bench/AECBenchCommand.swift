import AECBench
import AECNet
import ArgumentParser
import Foundation

@main
struct AECBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aec-bench",
        abstract: "Measure aec.",
        subcommands: [Engine.self])
}

struct Engine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Speed of the engine: GEMM against the reference, forward and training images/s.",
        discussion: """
            Build with `swift build -c release` first; a debug build measures nothing useful.
            Every figure comes with a reference measured in the same run (the plain triple-loop GEMM,
            and the GEMM micro-kernel's own rate), because shared machines are noisy.
            """)

    @Option(help: "Seconds to time each measurement.")
    var seconds = 2.0

    @Option(help: "Threads for the network measurements.")
    var threads = Parallel.coreCount

    @Option(help: ArgumentHelp("Width sets to measure, separated by spaces.", valueName: "w1/w2/w3 …"))
    var widths = "16/16/8 32/32/16 64/64/32 128/64/32"

    @Flag(help: "Skip the GEMM table.")
    var noGemm = false

    @Flag(help: "Also print where the time goes, layer by layer (one thread, 8 tiles).")
    var layers = false

    func run() throws {
        let architectures = try widths.split(separator: " ").map { spec -> Architecture in
            let w = spec.split(separator: "/").compactMap { Int($0) }
            guard w.count == 3, w.allSatisfy({ $0 > 0 }) else { throw ValidationError("bad widths '\(spec)'") }
            return Architecture(w1: w[0], w2: w[1], w3: w[2])
        }
        print("# aec engine benchmark\n")
        print("\(ProcessInfo.processInfo.activeProcessorCount) cores; network measured on \(threads) threads.\n")
        var kernelGflops = 0.0
        if !noGemm {
            print("## GEMM (one thread): sgemm against the triple-loop reference\n")
            print("| shape | M×N×K | sgemm GFLOPS | reference GFLOPS | speed-up | max rel. error |")
            print("|---|---|---:|---:|---:|---:|")
            for s in EngineBenchmark.convolutionShapes() {
                let r = EngineBenchmark.measureGEMM(s, seconds: seconds / 4)
                kernelGflops = max(kernelGflops, r.gflops)
                print(String(format: "| %@ | %d×%d×%d | %.1f | %.2f | %.0f× | %.1e |", s.name, s.m, s.n, s.k,
                             r.gflops, r.referenceGflops, r.gflops / r.referenceGflops, r.maxRelativeError))
            }
            print("")
        }
        print("## Network (\(threads) threads)\n")
        print("| widths | MFLOP/tile | forward img/s | forward GFLOPS | training img/s | training GFLOPS |"
              + (kernelGflops > 0 ? " forward / (best sgemm × threads) |" : ""))
        print("|---|---:|---:|---:|---:|---:|" + (kernelGflops > 0 ? "---:|" : ""))
        for a in architectures {
            let r = EngineBenchmark.measureNetwork(a, threads: threads, seconds: seconds)
            var line = String(format: "| %@ | %.1f | %.0f | %.1f | %.0f | %.1f |", a.description,
                              2 * Double(a.macsPerTile) / 1e6, r.forwardImagesPerSecond, r.forwardGflops,
                              r.trainingImagesPerSecond, r.trainingGflops)
            if kernelGflops > 0 { line += String(format: " %.0f%% |", 100 * r.forwardGflops / (kernelGflops * Double(threads))) }
            print(line)
        }
        if layers {
            for a in architectures { printLayers(a) }
        }
    }

    func printLayers(_ a: Architecture) {
        let timings = EngineBenchmark.measureLayers(a, seconds: seconds / 20)
        let total = timings.reduce(0) { $0 + $1.forwardSeconds + $1.backwardSeconds }
        print("\n## Layers of \(a) (one thread, 8 tiles)\n")
        print("| # | layer | output | forward µs | backward µs | forward GFLOPS | backward GFLOPS | share of time |")
        print("|---:|---|---|---:|---:|---:|---:|---:|")
        for t in timings {
            let name: String
            switch t.layer {
            case .conv(let cin, let cout, let act): name = "conv \(cin)→\(cout) \(act)"
            case .maxPool: name = "maxpool"
            case .upsample: name = "upsample"
            }
            let gf = { (s: Double, f: Double) in t.macs > 0 ? String(format: "%.1f", f * Double(t.macs) / s / 1e9) : "" }
            print(String(format: "| %d | %@ | %d×%d×%d | %.1f | %.1f | %@ | %@ | %.1f%% |", t.index, name, t.shape.h, t.shape.w,
                         t.shape.c, t.forwardSeconds * 1e6, t.backwardSeconds * 1e6, gf(t.forwardSeconds, 2),
                         gf(t.backwardSeconds, 4), 100 * (t.forwardSeconds + t.backwardSeconds) / total))
        }
    }
}
