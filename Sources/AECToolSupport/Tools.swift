import AECCodec
import AECImage
import Foundation

/// Defaults shared by the two commands.
public enum ToolDefaults {
    /// Threads: the cores this process may use.
    public static var jobs: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
    /// Bits per code value (`Codec.defaultBits`).
    public static let bits = Codec.defaultBits
    /// The valid `--quality` values (`QualityLadder`).
    public static var qualities: ClosedRange<Int> { QualityLadder.range }
    /// The quality of the default setting.
    public static var quality: Int { QualityLadder.defaultQuality }
    /// The largest image accepted (`Codec.defaultMaxPixels`).
    public static let maxPixels = Codec.defaultMaxPixels
}

/// Everything `aec-encode` was asked to do.
public struct EncodeRequest: Sendable {
    public var inputs: [String]
    public var output: String
    /// Bits per code value (ignored with `quality`).
    public var bits = Codec.defaultBits
    /// A rung of `QualityLadder` (1…): picks a shipped model and the bits; nil for `bits` with the model.
    public var quality: Int?
    public var halfChroma = false
    /// A model file; nil for a shipped model (the default, or the one `quality` picks).
    public var modelPath: String?
    public var force = false
    public var jobs = 1
    public var verbosity = Verbosity.normal
    public var maxPixels = Codec.defaultMaxPixels

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
    public var force = false
    public var jobs = 1
    public var verbosity = Verbosity.normal
    public var maxPixels = Codec.defaultMaxPixels
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

    /// Runs the request and returns the exit status.
    /// - Throws: `UsageError` when the inputs and `-o` do not go together (exit 64).
    public static func run(_ request: EncodeRequest) throws -> Int32 {
        SignalCleanup.install(tool: name)
        let console = Console(tool: name, verbosity: request.verbosity)
        let plan = try InputPlan(inputs: request.inputs, output: request.output, inputExtension: "png", outputExtension: "aec")
        let model: CodecModel
        var bits = request.bits
        do {
            if let path = request.modelPath {
                model = try CodecModel.load(from: path)
            } else if let quality = request.quality {
                guard let level = QualityLadder.level(quality) else {
                    throw UsageError("--quality must be from \(QualityLadder.range.lowerBound) to \(QualityLadder.range.upperBound) (got \(quality))")
                }
                model = try ShippedModels.named(level.model)
                bits = level.bits
            } else {
                model = try ShippedModels.default()
            }
            // Builds the tables now, so that bad ones are reported before any file is read.
            guard try model.entropyModel(bits: bits) != nil else {
                throw CodecError.unsupportedBits(bits, available: model.availableBits)
            }
        } catch let error as UsageError {
            throw error
        } catch let error as CodecError {
            if case .noShippedModel = error {
                console.error("\(error)")
                return ExitStatus.failure
            }
            console.error(request.modelPath ?? "the default model", "\(error)")
            return ExitStatus.failure
        } catch {
            console.error("\(error)")  // ModelFileError names the file itself
            return ExitStatus.failure
        }
        var options = EncodeOptions()
        options.bits = bits
        options.halfResolutionChroma = request.halfChroma
        let job = EncodeJob(codec: Codec(model: model), options: options, maxPixels: request.maxPixels,
                            force: request.force, measureQuality: request.verbosity == .verbose)
        return BatchRunner.run(plan, job: job, jobs: request.jobs, direction: .encode, console: console)
    }
}

/// `aec-decode`: `.aec` files, folders or stdin → PNG, or `--info`.
public enum DecodeTool {
    public static let name = "aec-decode"

    /// Runs the request and returns the exit status.
    /// - Throws: `UsageError` when the inputs and `-o` do not go together (exit 64).
    public static func run(_ request: DecodeRequest) throws -> Int32 {
        SignalCleanup.install(tool: name)
        let console = Console(tool: name, verbosity: request.verbosity)
        var plan: InputPlan? = nil
        if !request.info {
            guard let output = request.output else {
                throw UsageError("missing -o OUT: where to write (a PNG file, a folder, or - for stdout)")
            }
            plan = try InputPlan(inputs: request.inputs, output: output, inputExtension: "aec", outputExtension: "png")
        }
        let models: ModelChoice
        do {
            models = try request.modelPath.map { ModelChoice(model: try CodecModel.load(from: $0)) } ?? ModelChoice()
        } catch {
            console.error("\(error)")  // ModelFileError names the file itself
            return ExitStatus.failure
        }
        guard let plan else {
            return try InfoReport.run(inputs: request.inputs, models: models, maxPixels: request.maxPixels, console: console)
        }
        let job = DecodeJob(models: models, maxPixels: request.maxPixels, force: request.force)
        return BatchRunner.run(plan, job: job, jobs: request.jobs, direction: .decode, console: console)
    }
}
