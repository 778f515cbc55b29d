import AECBase
import AECCodec
import AECImage
import ArgumentParser
import Foundation

/// The flags `aec-encode` and `aec-decode` share, parsed once for both (`@OptionGroup`).
public struct RunFlags: ParsableArguments {
    @Flag(help: "Replace output files that exist.")
    public var force = false

    @Option(help: ArgumentHelp("Threads: files in parallel, or the tiles of a single file (output is the same for any N; default: the number of cores).", valueName: "N"))
    public var jobs: Int?

    @Flag(name: .customLong("mt", withSingleDash: true), help: "All cores (cwebp's -mt; the default unless --jobs says otherwise).")
    public var multithreaded = false

    @Flag(name: [.short, .long], help: "One line per file (encoding: with the PSNR of its decoded result).")
    public var verbose = false

    @Flag(name: .long, help: "Print nothing but errors (long form only: -q is aec-encode's quality, as in cwebp).")
    public var quiet = false

    @Option(help: ArgumentHelp("Refuse images with more pixels than this.", valueName: "N"))
    public var maxPixels = Limits.defaultMaxPixels

    @Flag(help: "Leave outputs that exist as they are and count them as up to date: re-running an interrupted run finishes it.")
    public var skipExisting = false

    @Option(help: ArgumentHelp("Do only shard K of N of the input files (0 ≤ K < N; files split by a hash of their path). Default: from a scheduler's array-job variables (Slurm, Kubernetes, AWS Batch, Google Cloud Batch), else all.", valueName: "K/N"))
    public var shard: String?

    @Option(help: ArgumentHelp("The number of shards when only the index comes from the environment (Kubernetes' JOB_COMPLETION_INDEX; or set AEC_SHARD_COUNT).", valueName: "N"))
    public var shardCount: Int?

    @Option(help: ArgumentHelp("Write a record of the run to FILE, one JSON object per file and a summary (JSON Lines).", valueName: "FILE"))
    public var report: String?

    public init() {}

    public var verbosity: Verbosity { quiet ? .quiet : verbose ? .verbose : .normal }

    public func validate() throws {
        guard !(verbose && quiet) else { throw ValidationError("--verbose and --quiet cannot be used together") }
    }

    /// The settings every run has, from these flags and the environment (the shard).
    /// - Throws: `UsageError` for a malformed shard.
    public func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RunSettings {
        var settings = RunSettings(force: force, jobs: jobs ?? Parallel.coreCount, verbosity: verbosity, maxPixels: maxPixels)
        settings.skipExisting = skipExisting
        settings.shard = try Shard.resolve(flag: shard, countFlag: shardCount, environment: environment)
        settings.reportPath = report
        return settings
    }
}

/// How a run of `aec-encode` or `aec-decode` goes, whatever it converts.
public struct RunSettings: Sendable {
    public var force = false
    public var jobs = 1
    public var verbosity = Verbosity.normal
    public var maxPixels = Limits.defaultMaxPixels
    /// Leave existing outputs alone and count them as up to date.
    public var skipExisting = false
    /// Do only this shard of the input files; nil for all.
    public var shard: Shard?
    /// Where to write the JSON Lines record of the run; nil for none.
    public var reportPath: String?

    public init(force: Bool = false, jobs: Int = 1, verbosity: Verbosity = .normal, maxPixels: Int = Limits.defaultMaxPixels) {
        self.force = force; self.jobs = jobs; self.verbosity = verbosity; self.maxPixels = maxPixels
    }

    /// - Throws: `UsageError` for a value out of range.
    func validate() throws {
        guard (1...1024).contains(jobs) else { throw UsageError("--jobs must be from 1 to 1024 (got \(jobs))") }
        guard maxPixels >= 1 else { throw UsageError("--max-pixels must be at least 1") }
        if skipExisting && force { throw UsageError("--skip-existing keeps existing outputs and --force replaces them: use one") }
    }
}

/// Everything `aec-encode` was asked to do.
public struct EncodeRequest: Sendable {
    public var inputs: [String]
    public var output: String
    /// Bits per code value and chroma resolution (ignored with `quality`, which picks the bits).
    public var options = EncodeOptions()
    /// A quality (0…100) that picks a rung of `QualityLadder`: its models and bits, chosen per image; nil
    /// for the default rung, or `options.bits` when `bitsGiven`.
    public var quality: Int?
    /// Whether `options.bits` was asked for (`--bits`): then the default model (or `modelPath`) codes every
    /// image at those bits, and no choice is made.
    public var bitsGiven = false
    /// A model file; nil for a shipped model (the default, or the one `quality` picks).
    public var modelPath: String?
    /// Which of each input's metadata to store (`-metadata`): nothing by default, as cwebp.
    public var metadata = ImageMetadata.Selection.none
    public var run = RunSettings()

    public init(inputs: [String], output: String) {
        self.inputs = inputs
        self.output = output
    }
}

/// Everything `aec-decode` was asked to do.
public struct DecodeRequest: Sendable {
    public var inputs: [String]
    /// Required unless `info`.
    public var output: String?
    /// A model file; nil to pick the shipped model that each file names.
    public var modelPath: String?
    public var run = RunSettings()
    /// Print each file's header on stdout instead of decoding.
    public var info = false

    public init(inputs: [String], output: String?) {
        self.inputs = inputs
        self.output = output
    }
}

/// `aec-encode`: PNG files, folders or stdin → `.aec`.
public enum EncodeTool {
    public static let name = "aec-encode"
    /// The files a folder is searched for: PNG and JPEG (the format is then told by the first bytes).
    public static let inputExtensions = ["png", "jpg", "jpeg"]

    /// Runs the request and returns the exit status.
    /// - Throws: `UsageError` when a value is out of range or the inputs and `-o` do not go together (exit 64).
    public static func run(_ request: EncodeRequest) throws -> Int32 {
        try request.run.validate()
        let options = request.options
        // What to code with: the file given (at -q's bits or --bits), the default model at --bits, or
        // without either the rung's levels (the default rung without -q), chosen per image.
        var levels: [QualityLadder.Level]
        if let quality = request.quality {
            guard let rung = QualityLadder.rung(forQuality: quality) else {
                throw UsageError("-q/--quality must be from \(QualityLadder.qualityRange.lowerBound) to \(QualityLadder.qualityRange.upperBound) (got \(quality))")
            }
            levels = QualityLadder.shippedCandidates(ofRung: rung)
        } else {
            guard Limits.bits.contains(options.bits) else {
                throw UsageError("--bits must be from \(Limits.bits.lowerBound) to \(Limits.bits.upperBound) (got \(options.bits))")
            }
            levels = request.bitsGiven ? [QualityLadder.Level(model: ShippedModels.defaultName, bits: options.bits)]
                : QualityLadder.shippedCandidates(ofRung: QualityLadder.defaultRung)
        }
        if request.modelPath != nil { levels = [levels[0]] }
        SignalCleanup.install(tool: name)
        let console = Console(tool: name, verbosity: request.run.verbosity)
        let plan = try InputPlan(inputs: request.inputs, output: request.output, inputExtensions: EncodeTool.inputExtensions, outputExtension: "aec")
        var candidates: [CodecChoice.Candidate] = []
        for level in levels {
            do {
                let model = try request.modelPath.map { try CodecModel.load(from: $0) } ?? ShippedModels.named(level.model)
                // Builds the tables now, so that bad ones are reported before any file is read.
                guard try model.entropyModel(bits: level.bits) != nil else {
                    throw CodecError.unsupportedBits(level.bits, available: model.availableBits)
                }
                candidates.append(CodecChoice.Candidate(codec: Codec(model: model), bits: level.bits,
                                                        name: request.modelPath == nil ? level.model : model.name))
            } catch let error as CodecError {
                if case .noShippedModel = error {
                    console.error(ToolHints.describe(error))
                } else if case .noShippedModels = error {
                    console.error(ToolHints.describe(error))
                } else {
                    console.error(request.modelPath ?? "the \(level.model) model", ToolHints.describe(error))
                }
                return ExitStatus.failure
            } catch {
                console.error("\(error)")  // ModelFileError names the file itself
                return ExitStatus.failure
            }
        }
        let job = EncodeJob(choice: CodecChoice(candidates: candidates), options: options, metadata: request.metadata,
                            maxPixels: request.run.maxPixels, force: request.run.force,
                            measureQuality: request.run.verbosity == .verbose)
        return BatchRunner.run(plan, job: job, settings: request.run, direction: .encode, console: console)
    }
}

/// `aec-decode`: `.aec` files, folders or stdin → PNG, or `--info`.
public enum DecodeTool {
    public static let name = "aec-decode"

    /// Runs the request and returns the exit status.
    /// - Throws: `UsageError` when a value is out of range or the inputs and `-o` do not go together (exit 64).
    public static func run(_ request: DecodeRequest) throws -> Int32 {
        try request.run.validate()
        SignalCleanup.install(tool: name)
        let console = Console(tool: name, verbosity: request.run.verbosity)
        var plan: InputPlan? = nil
        if request.info {
            guard request.output == nil else { throw UsageError("--info prints on stdout; it takes no -o") }
        } else {
            guard let output = request.output else {
                throw UsageError("missing -o OUT: where to write (a PNG file, a folder, or - for stdout)")
            }
            plan = try InputPlan(inputs: request.inputs, output: output, inputExtensions: ["aec"], outputExtension: "png")
        }
        let models: ModelChoice
        do {
            models = try request.modelPath.map { ModelChoice(model: try CodecModel.load(from: $0)) } ?? ModelChoice()
        } catch {
            console.error("\(error)")  // ModelFileError names the file itself
            return ExitStatus.failure
        }
        guard let plan else {
            return try InfoReport.run(inputs: request.inputs, models: models, maxPixels: request.run.maxPixels, console: console)
        }
        let job = DecodeJob(models: models, maxPixels: request.run.maxPixels, force: request.run.force)
        return BatchRunner.run(plan, job: job, settings: request.run, direction: .decode, console: console)
    }
}
