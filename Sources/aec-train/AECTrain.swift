import AECBase
import AECCodec
import AECNet
import AECTraining
import ArgumentParser
import Foundation

/// `aec-train` trains (the default subcommand, so `aec-train --png-dir …` trains) or describes a model
/// (`aec-train info MODEL.aecm`).
@main
struct AECTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aec-train",
        abstract: "Train an aec codec model, or describe one (aec-train info MODEL.aecm).",
        version: AECVersion.report(tool: "aec-train"),
        subcommands: [AECTrain.self, ModelInfo.self],
        defaultSubcommand: AECTrain.self)
}

/// `aec-train info MODEL.aecm…`: fingerprint, widths, code size, bit depths, size.
struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a model file's fingerprint, widths, code size, bit depths and size.")

    @Argument(help: ArgumentHelp("Model files (.aecm).", valueName: "MODEL"))
    var models: [String]

    func run() throws {
        var failed = false
        for (index, path) in models.enumerated() {
            do {
                let bytes = try FileSystem.read(path)
                let model = try CodecModel(bytes: bytes, name: path)  // its errors start with this name
                print((index == 0 ? "" : "\n") + ModelReport.text(model, path: path, byteCount: bytes.count), terminator: "")
            } catch let error as FileSystemError {
                FileHandle.standardError.write(Data("aec-train: error: \(Formatting.oneLine(error.description))\n".utf8))
                failed = true
            } catch {
                FileHandle.standardError.write(Data("aec-train: error: \(Formatting.oneLine("\(error)"))\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}

struct AECTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an aec codec model on Fashion-MNIST or on your own PNGs.",
        discussion: """
            Trains the notes' convolutional autoencoder (28×28 tiles → 7×7 code → 28×28) with Adam on the
            mean squared error, quantization-aware for the chosen --bits, and writes a model file.
            Progress goes to stderr; a checkpoint is written after every epoch (--checkpoint) and a run can
            be continued with --resume. The same options and seed give bit-identical weights with any --threads.

            Examples:
              aec-train -o fashion.aecm                                  # Fashion-MNIST, 10 epochs
              aec-train --widths 64,64,32 --epochs 30 -o wide.aecm
              aec-train --png-dir photos/ --epochs 5 -o photos.aecm      # random 28×28 crops
              aec-train -o fashion.aecm --resume fashion.aecm.ckpt       # continue an interrupted run
              aec-train --png-dir photos/ --init-from fashion.aecm -o photos.aecm  # fine-tune a trained model
            """)

    @Option(name: .customLong("fashion-mnist"), help: ArgumentHelp("Folder with the Fashion-MNIST .gz IDX files.", valueName: "dir"))
    var fashionMNIST = FashionMNIST.defaultDirectory

    @Option(name: .customLong("png-dir"), help: ArgumentHelp("Train on random 28×28 grayscale crops of the PNGs under this folder instead.", valueName: "dir"))
    var pngDirectory: String?

    @Option(name: .customLong("crop-size"), help: ArgumentHelp("With --png-dir: train on crops of this side (a multiple of 4 from 28 to 256), larger than a tile so the network learns what coding an image whole shows it; above 28 the rate model is per code channel. Tests and entropy tables still use 28×28 crops.", valueName: "px"))
    var cropSize = Architecture.tileSide

    @Flag(name: .customLong("chroma"), help: "With --png-dir: also crop the Cb and Cr planes of colour PNGs, at half resolution as aec-encode codes them (4:2:0), for training, tests and the entropy tables.")
    var chroma = false

    @Option(name: .customLong("test-png-dir"), help: ArgumentHelp("Test on crops of these PNGs (with --png-dir; default: crops of the training PNGs).", valueName: "dir"))
    var testPNGDirectory: String?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to write the model file.", valueName: "model.aecm"))
    var output: String

    @Option(help: "Passes over the training set.")
    var epochs = 10

    @Option(help: "Images per mini-batch.")
    var batchSize = 64

    @Option(name: .customLong("lr"), help: "Peak learning rate of Adam.")
    var learningRate: Float = 2e-3

    @Option(help: "Learning-rate schedule: cosine (warm-up, then cosine decay) or constant.")
    var schedule: ScheduleKind = .cosine

    @Option(help: "Warm-up steps of the cosine schedule.")
    var warmupSteps = 200

    @Option(help: ArgumentHelp("Channel widths w1,w2,w3 of the three stages.", valueName: "w1,w2,w3"))
    var widths = "32,32,16"

    @Option(help: "Channels of the 7×7 code (1 in the notes).")
    var codeChannels = 1

    @Option(help: "Seed of every random choice (initial weights, shuffling, noise).")
    var seed: UInt64 = 1

    @Option(help: "Bits per code value for quantization-aware training and the test PSNR (\(Limits.bits.lowerBound)…\(Limits.bits.upperBound); 0: off).")
    var bits = 6

    @Option(help: ArgumentHelp("Denoising: zero each input pixel with probability q.", valueName: "q"))
    var maskNoise: Float = 0

    @Option(help: ArgumentHelp("Denoising: add Gaussian noise of this σ to the input (pixels in [0,1]).", valueName: "σ"))
    var gaussianNoise: Float = 0

    @Option(help: ArgumentHelp("Sparsity: add λ·mean|code| to the loss.", valueName: "λ"))
    var sparsity: Float = 0

    @Option(help: ArgumentHelp("Rate-aware training: add λ·(estimated bits per code value) to the loss (needs --bits).", valueName: "λ"))
    var rateLambda: Float = 0

    @Option(name: .customLong("rate-lr-scale"), help: ArgumentHelp("The rate model's learning rate as a multiple of --lr.", valueName: "k"))
    var rateLearningRateScale: Float = 1

    @Option(help: "Worker threads (the result does not depend on it).")
    var threads = Parallel.coreCount

    @Option(help: "Use only the first N training images (Fashion-MNIST) or N crops per epoch (PNGs).")
    var limit: Int?

    @Option(help: "Evaluate on only the first N test images.")
    var testLimit: Int?

    @Option(help: ArgumentHelp("Checkpoint written after every epoch (default: OUTPUT.ckpt).", valueName: "path"))
    var checkpoint: String?

    @Option(help: ArgumentHelp("Continue the run saved in this checkpoint (same options).", valueName: "path"))
    var resume: String?

    @Option(help: ArgumentHelp("Start from this trained model's weights instead of random ones, e.g. to fine-tune it on your PNGs (same widths; a code with fewer channels than --code-channels grows, the new ones unused at first).", valueName: "model.aecm"))
    var initFrom: String?

    @Option(help: ArgumentHelp("Do not train: fit the entropy tables of this existing model on the data and write it to --output.", valueName: "model.aecm"))
    var fitEntropy: String?

    @Option(help: ArgumentHelp("Bit depths to fit entropy tables for, like 3,4,5 (the codec can use only these). (default: \(Limits.bits.map(String.init).joined(separator: ",")))", valueName: "b1,b2,…"))
    var entropyBits: String?

    @Option(help: "Training tiles used to fit the entropy tables (default: all).")
    var entropyTiles: Int?

    @Flag(name: [.short, .long], help: "Print nothing but errors.")
    var quiet = false

    enum ScheduleKind: String, ExpressibleByArgument, CaseIterable { case cosine, constant }

    func parsedWidths() throws -> (Int, Int, Int) {
        let parts = widths.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let w1 = parts[0], let w2 = parts[1], let w3 = parts[2],
              [w1, w2, w3].allSatisfy({ (1...1024).contains($0) }) else {
            throw ValidationError("--widths must be three integers from 1 to 1024, like 32,32,16 (got '\(widths)')")
        }
        return (w1, w2, w3)
    }

    /// The bit depths of `--entropy-bits`, sorted.
    func parsedEntropyBits() throws -> [Int] {
        guard let entropyBits else { return Array(Limits.bits) }
        let parts = entropyBits.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0.map { Limits.bits.contains($0) } ?? false }),
              Set(parts).count == parts.count else {
            throw ValidationError("--entropy-bits must be distinct bit depths from \(Limits.bits.lowerBound) to \(Limits.bits.upperBound), like 3,4,5 (got '\(entropyBits)')")
        }
        return parts.compactMap { $0 }.sorted()
    }

    func validate() throws {
        _ = try parsedWidths()
        _ = try parsedEntropyBits()
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard (1...4096).contains(batchSize) else { throw ValidationError("--batch-size must be from 1 to 4096") }
        guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--lr must be positive") }
        guard warmupSteps >= 0 else { throw ValidationError("--warmup-steps must not be negative") }
        guard (1...64).contains(codeChannels) else { throw ValidationError("--code-channels must be from 1 to 64") }
        guard bits == 0 || Limits.bits.contains(bits) else {
            throw ValidationError("--bits must be from \(Limits.bits.lowerBound) to \(Limits.bits.upperBound), or 0 for no quantization")
        }
        guard (0..<1).contains(maskNoise) else { throw ValidationError("--mask-noise must be in [0, 1)") }
        guard gaussianNoise >= 0, gaussianNoise.isFinite else { throw ValidationError("--gaussian-noise must not be negative") }
        guard sparsity >= 0, sparsity.isFinite else { throw ValidationError("--sparsity must not be negative") }
        guard rateLambda >= 0, rateLambda.isFinite else { throw ValidationError("--rate-lambda must not be negative") }
        guard rateLearningRateScale > 0, rateLearningRateScale.isFinite else { throw ValidationError("--rate-lr-scale must be positive") }
        if rateLambda > 0 && bits == 0 { throw ValidationError("--rate-lambda needs --bits (the rate is of the quantized code)") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be from 1 to 256") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit must be at least 1") }
        if initFrom != nil && (resume != nil || fitEntropy != nil) {
            throw ValidationError("--init-from starts a new run; it does not go with --resume or --fit-entropy")
        }
        guard (Architecture.tileSide...256).contains(cropSize), cropSize % 4 == 0 else {
            throw ValidationError("--crop-size must be a multiple of 4 from \(Architecture.tileSide) to 256")
        }
        if chroma && pngDirectory == nil {
            throw ValidationError("--chroma needs --png-dir (Fashion-MNIST images are gray)")
        }
        if cropSize != Architecture.tileSide && pngDirectory == nil {
            throw ValidationError("--crop-size needs --png-dir (Fashion-MNIST images are 28×28)")
        }
        if testPNGDirectory != nil && pngDirectory == nil {
            throw ValidationError("--test-png-dir needs --png-dir")
        }
    }

    func run() throws {
        do {
            try train()
        } catch let error as ExitCode {
            throw error
        } catch let error as CheckpointMismatch {
            let hint: String
            switch error {
            case .rateAware: hint = "; pass the same --rate-lambda to resume"
            case .rateBits(let bits): hint = "; pass --bits \(bits) to resume"
            case .widths, .seedOrBatchSize, .ratePositions: hint = ""
            }
            FileHandle.standardError.write(Data("aec-train: error: \(error)\(hint)\n".utf8))
            throw ExitCode.failure
        } catch {
            FileHandle.standardError.write(Data("aec-train: error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    func train() throws {
        let (w1, w2, w3) = try parsedWidths()
        var options = TrainingOptions()
        options.architecture = Architecture(w1: w1, w2: w2, w3: w3, codeChannels: codeChannels)
        options.epochs = epochs
        options.batchSize = batchSize
        options.learningRate = learningRate
        options.cosineSchedule = schedule == .cosine
        options.warmupSteps = warmupSteps
        options.seed = seed
        options.bits = bits == 0 ? nil : bits
        options.maskingProbability = maskNoise
        options.gaussianSigma = gaussianNoise
        options.sparsity = sparsity
        options.rateLambda = rateLambda
        options.threads = threads
        options.cropSide = cropSize
        options.rateLearningRateScale = rateLearningRateScale

        // `tiles`: 28×28 crops for the entropy tables, the same as `training` unless --crop-size is larger.
        let training: any TileSource, tiles: any TileSource, test: any TileSource
        if let pngDirectory {
            let crops = try PNGCropTiles(directory: pngDirectory, seed: seed, side: cropSize, chroma: chroma, cropsPerEpoch: limit)
            tiles = cropSize == Architecture.tileSide ? crops
                : try PNGCropTiles(directory: pngDirectory, seed: seed, chroma: chroma, cropsPerEpoch: limit)
            let testCrops = try PNGCropTiles(directory: testPNGDirectory ?? pngDirectory, seed: seed ^ 0x7E57, chroma: chroma)
            // A PNG that does not decode is left out with a warning, as aec-encode does.
            var warned = Set<String>()
            for (path, reason) in crops.skipped + testCrops.skipped where warned.insert(path).inserted {
                log("aec-train: warning: \(Formatting.oneLine(path)): \(reason) (skipped)")
            }
            if !warned.isEmpty { log("aec-train: \(warned.count) PNG file(s) skipped, \(crops.paths.count) used for training") }
            training = crops
            test = testCrops
        } else {
            training = try IDXTiles(FashionMNIST.load(.train, directory: fashionMNIST), limit: limit)
            tiles = training
            test = try IDXTiles(FashionMNIST.load(.test, directory: fashionMNIST))
        }

        let checkpointPath = checkpoint ?? output + ".ckpt"
        // Fail now, not after the first epoch, if the outputs cannot be written.
        for path in [output, checkpointPath] { try checkWritableFolder(of: path) }

        if let fitEntropy {
            let model = try ModelFile.load(from: fitEntropy).model
            try writeWithEntropyTables(model, training: tiles, test: test)
            return
        }
        let trainer: Trainer
        if let resume {
            trainer = try Trainer(options: options, resumingFrom: Checkpoint.load(from: resume))
        } else if let initFrom {
            trainer = try Trainer(options: options, startingFrom: ModelFile.load(from: initFrom).model)
        } else {
            trainer = Trainer(options: options)
        }
        log("aec-train: widths \(options.architecture), \(options.architecture.parameterLayout.count) parameters, "
            + "\(training.count) training \(cropSize == Architecture.tileSide ? "tiles" : "\(cropSize)×\(cropSize) crops"), batch \(batchSize), \(threads) threads"
            + (trainer.epochsCompleted > 0 ? ", resuming after epoch \(trainer.epochsCompleted)" : ""))
        try trainer.train(source: training, test: test, testLimit: testLimit, report: report) { trainer in
            try trainer.currentCheckpoint.write(to: checkpointPath)
        }
        try writeWithEntropyTables(trainer.model, training: tiles, test: test)
        log("aec-train: checkpoint \(checkpointPath)")
    }

    /// Fits the entropy tables for `--entropy-bits` (each layout scored on the test set) and writes the model.
    func writeWithEntropyTables(_ model: Autoencoder, training: any TileSource, test: any TileSource) throws {
        log("aec-train: fitting entropy tables (ideal payload per 28×28 tile on the test set):")
        let fitted = try EntropyTableFitting.fit(model, training: training, trainingLimit: entropyTiles,
                                                 scoring: test, scoringLimit: testLimit,
                                                 bits: try parsedEntropyBits(), threads: threads)
        for report in fitted.reports {
            let all = report.candidates.map { String(format: "%@ %.2f B", $0.description, $0.testBytesPerTile) }
            log("  \(report.bits) bits: " + all.joined(separator: ", ") + " → \(report.chosen.description)")
        }
        try fitted.file.write(to: output)
        log("aec-train: wrote \(output)")
    }

    func checkWritableFolder(of path: String) throws {
        let folder = Paths.parent(of: path)
        guard FileSystem.kind(of: folder) == .folder else {
            throw TrainingError("cannot write '\(path)': no such folder '\(folder)'")
        }
        guard access(folder, W_OK) == 0 else {
            throw TrainingError("cannot write '\(path)': the folder '\(folder)' is not writable")
        }
    }

    func report(_ event: Trainer.Event) {
        switch event {
        case let .progress(epoch, step, steps, loss, speed, left, codeBytes):
            log(String(format: "epoch %d/%d  step %d/%d  loss %.5f  %@%.0f img/s  %@ left",
                       epoch, epochs, step, steps, loss, codeBytes.map { String(format: "code ≈ %.1f B  ", $0) } ?? "",
                       speed, Formatting.duration(left)))
        case let .epochEnd(epoch, trainLoss, test, seconds):
            var line = String(format: "epoch %d/%d done in %@: train loss %.5f", epoch, epochs, Formatting.duration(seconds), trainLoss)
            if let test {
                line += String(format: ", test PSNR %.2f dB (%d tiles%@)", test.meanPSNR, test.tiles,
                               bits == 0 ? "" : ", \(bits)-bit code")
            }
            log(line)
        }
    }

    func log(_ line: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
