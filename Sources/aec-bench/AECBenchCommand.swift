import AECBase
import AECBench
import AECCodec
import AECNet
import AECTraining
import ArgumentParser
import Foundation

@main
struct AECBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aec-bench",
        abstract: "Measure aec: against JPEG and WebP (compare, the default), or the engine's speed.",
        version: AECVersion.report(tool: "aec-bench"),
        subcommands: [Compare.self, Engine.self],
        defaultSubcommand: Compare.self)
}

enum SplitName: String, ExpressibleByArgument, CaseIterable {
    case test, train
    var split: FashionMNIST.Split { self == .test ? .test : .train }
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare aec with JPEG and WebP: bytes, PSNR, SSIM, speed, BD-rate.",
        discussion: """
            Codes every image with aec (each model, each bit depth it has tables for), JPEG (libjpeg, baseline,
            standard and optimized Huffman tables) and WebP (libwebp, lossy) at a sweep of qualities, all in
            this process, and writes results.csv, results.md, rd.svg and examples.png to the output folder.
            Build with `-c release`: a debug build is slow and its speeds mean nothing.

            Examples:
              aec-bench --fashion-mnist test -o bench/           # the 10,000 Fashion-MNIST test images
              aec-bench pictures/ -o bench/ --limit 100          # the first 100 PNGs under pictures/
              aec-bench --fashion-mnist test --sample 500 --seed 7 --model mine.aecm -o bench/
            """)

    @Argument(help: ArgumentHelp("A folder of PNG images (searched recursively; any size, gray or colour), or one PNG.",
                                 valueName: "folder"))
    var folder: String?

    @Option(name: .customLong("fashion-mnist"), help: ArgumentHelp("Use a Fashion-MNIST split instead of a folder.", valueName: "test|train"))
    var fashionMNIST: SplitName?

    @Option(name: .customLong("fashion-mnist-dir"), help: ArgumentHelp("Folder with the Fashion-MNIST .gz IDX files.", valueName: "dir"))
    var fashionMNISTDirectory = FashionMNIST.defaultDirectory

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Folder for the results (created if missing).", valueName: "dir"))
    var output: String

    @Option(name: .customLong("model"), help: ArgumentHelp("An aec model file to measure (repeatable; default: the shipped models).", valueName: "file"))
    var models: [String] = []

    @Option(help: ArgumentHelp("aec bit depths, comma-separated (default: every one the model has tables for).", valueName: "b,b,…"))
    var bits: String?

    @Flag(name: .customLong("full-chroma"), help: "aec codes colour images' chroma at full resolution (4:4:4) instead of aec-encode's default, half (4:2:0, as JPEG and WebP do).")
    var fullChroma = false

    @Flag(name: .customLong("half-chroma"), help: "aec codes colour images' chroma at half resolution (4:2:0): the default.")
    var halfChroma = false

    @Flag(help: "aec codes 28×28 tiles independently (format version 3) instead of coding images larger than one tile whole, as aec-encode does by default.")
    var tiles = false

    @Flag(help: "Leave out the 'aec (automatic, -q)' curve: aec-encode's -q rungs, each image coded by whichever of the rung's shipped models suits it (measured by default when no --model is given).")
    var noAutomatic = false

    @Option(name: .customLong("jpeg-qualities"), help: ArgumentHelp("JPEG qualities, comma-separated (default: 1,5,10,…,95,100).", valueName: "q,q,…"))
    var jpegQualities: String?

    @Option(name: .customLong("webp-qualities"), help: ArgumentHelp("WebP qualities, comma-separated (default: 0,5,…,100).", valueName: "q,q,…"))
    var webpQualities: String?

    @Flag(name: .customLong("no-jpeg"), help: "Leave JPEG out.")
    var noJPEG = false

    @Flag(name: .customLong("no-webp"), help: "Leave WebP out.")
    var noWebP = false

    @Option(help: "Use only the first N images.")
    var limit: Int?

    @Option(help: "Use N images chosen at random (see --seed).")
    var sample: Int?

    @Option(help: "Seed of --sample.")
    var seed: UInt64 = 1

    @Option(help: "Threads: images are coded in parallel, one per call.")
    var jobs = Parallel.coreCount

    @Option(help: "Examples in examples.png (0: none).")
    var examples = 8

    @Flag(name: [.short, .long], help: "No progress and no summary on stderr.")
    var quiet = false

    func validate() throws {
        if (folder == nil) == (fashionMNIST == nil) {
            throw ValidationError("give either a folder of PNGs or --fashion-mnist test|train (one of them)")
        }
        if limit != nil && sample != nil { throw ValidationError("--limit and --sample cannot be used together") }
        if fullChroma && halfChroma { throw ValidationError("--full-chroma and --half-chroma contradict each other (half is the default)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let sample, sample < 1 { throw ValidationError("--sample must be at least 1") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if examples < 0 { throw ValidationError("--examples cannot be negative") }
        _ = try list(bits, "--bits", Limits.bits)
        _ = try list(jpegQualities, "--jpeg-qualities", 1...100)
        _ = try list(webpQualities, "--webp-qualities", 0...100)
    }

    func list(_ text: String?, _ name: String, _ range: ClosedRange<Int>) throws -> [Int]? {
        guard let text else { return nil }
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try items.map { item in
            guard let v = Int(item), range.contains(v) else {
                throw ValidationError("\(name): '\(item)' is not a whole number in \(range.lowerBound)…\(range.upperBound)")
            }
            return v
        }
    }

    func run() throws {
        let started = Date()
        let progress = ProgressReporter(mode: quiet ? .quiet : nil)
        let say = { (text: String) in if !quiet { FileHandle.standardError.write(Data("aec-bench: \(text)\n".utf8)) } }
        do {
            try CompareBenchmark.prepareOutput(output)
            var options = CompareOptions()
            options.models = try loadModels()
            options.bits = try list(bits, "--bits", Limits.bits)
            options.jpegQualities = noJPEG ? [] : try list(jpegQualities, "--jpeg-qualities", 1...100) ?? CompareOptions.defaultJPEGQualities
            options.webpQualities = noWebP ? [] : try list(webpQualities, "--webp-qualities", 0...100) ?? CompareOptions.defaultWebPQualities
            options.jobs = jobs
            options.halfChroma = !fullChroma
            options.tiles = tiles
            // With the shipped models, also what aec-encode -q makes: each rung's models chosen per image.
            options.automaticRungs = models.isEmpty && !noAutomatic ? Array(QualityLadder.range) : []
            options.examples = examples
            options.commandLine = Self.commandLine()
            for (name, model) in options.models {
                let usable = model.availableBits.filter { options.bits?.contains($0) ?? true }
                if usable.isEmpty {
                    throw BenchError.invalid("model \(name) has no entropy tables for the bits asked for (it has: \(model.availableBits.map(String.init).joined(separator: ", ")))")
                }
            }

            let selection: ImageSelection = limit.map { .first($0) } ?? sample.map { .sample($0, seed: seed) } ?? .all
            let set: ImageSet
            if let fashionMNIST {
                set = try BenchInput.fashionMNIST(fashionMNIST.split, directory: fashionMNISTDirectory, selection: selection)
            } else {
                set = try BenchInput.folder(folder!, selection: selection, jobs: jobs)
            }
            for skipped in set.skipped { FileHandle.standardError.write(Data("aec-bench: skipped \(skipped)\n".utf8)) }
            if options.models.isEmpty { say("warning: no shipped model in this build and no --model: measuring JPEG and WebP only") }
            say("\(set.images.count) images from \(set.source); \(CompareBenchmark.codecs(options).count) settings; \(jobs) job(s)")

            var report = try CompareBenchmark.run(set, options: options, progress: progress)
            report.seconds = Date().timeIntervalSince(started)
            try report.write(to: output)
            for (b, p) in zip(report.bdRates, report.perImageBDRates) {
                say("BD-rate of \(b.curve) against \(b.reference): " + (b.percent.map { String(format: "%+.1f %%", $0) } ?? "— (no overlap)")
                    + (p.meanPercent.map { String(format: "; per image, averaged: %+.1f %% (%d of %d images)", $0, p.images, report.imageCount) } ?? ""))
            }
            say(String(format: "wrote results.csv, results.md, rd.svg%@ to %@ in %.1f s", report.examples == nil ? "" : ", examples.png",
                       output, report.seconds))
            if !set.skipped.isEmpty {
                FileHandle.standardError.write(Data("aec-bench: \(set.skipped.count) file(s) could not be used (listed in results.md)\n".utf8))
                throw ExitCode.failure
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            progress.finish()
            FileHandle.standardError.write(Data("aec-bench: error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// The --model files, or every shipped model (the default one first).
    func loadModels() throws -> [(name: String, model: CodecModel)] {
        if models.isEmpty {
            let all = ShippedModels.all()  // sorted by name
            return all.filter { $0.name == ShippedModels.defaultName } + all.filter { $0.name != ShippedModels.defaultName }
        }
        var loaded: [(name: String, model: CodecModel)] = []
        for path in models {
            let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            var name = base, k = 2
            while loaded.contains(where: { $0.name == name }) { name = "\(base)#\(k)"; k += 1 }
            loaded.append((name, try CodecModel.load(from: path)))
        }
        return loaded
    }

    /// This command line, shell-quoted, with the program as `aec-bench`.
    static func commandLine() -> String {
        let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./,=:+@%"))
        return (["aec-bench"] + CommandLine.arguments.dropFirst()).map { arg in
            arg.unicodeScalars.allSatisfy(safe.contains) && !arg.isEmpty ? arg : "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
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
        let report = EngineReport(architectures: architectures, threads: threads, seconds: seconds,
                                  gemm: !noGemm, layers: layers)
        report.run { print($0) }
    }
}
