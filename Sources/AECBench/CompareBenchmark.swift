import AECBase
import AECCodec
import AECImage
import AECNet
import Foundation

/// What to compare and how.
public struct CompareOptions {
    public static let defaultJPEGQualities = [1] + Array(stride(from: 5, through: 95, by: 5)) + [100]
    public static let defaultWebPQualities = Array(stride(from: 0, through: 100, by: 5))

    /// aec models to measure, named for the report; each at every bit depth it has tables for (within `bits`).
    public var models: [(name: String, model: CodecModel)] = []
    /// Code aec's chroma at half resolution (colour images only; JPEG and WebP always do).
    public var halfChroma = false
    /// Code aec in 28×28 tiles even where `aec-encode` would code the image whole.
    public var tiles = false
    /// Also measure aec as `aec-encode -q` codes (each rung's shipped models, chosen per image): the
    /// rungs whose models this build ships. Empty: not measured.
    public var automaticRungs: [Int] = []
    /// Bit depths to measure (nil: all the model has).
    public var bits: [Int]? = nil
    /// JPEG qualities, each with standard and with optimized Huffman tables; empty: no JPEG.
    public var jpegQualities = defaultJPEGQualities
    /// WebP qualities, each at WebP's defaults and with `WebP.Settings.forPSNR`; empty: no WebP.
    public var webpQualities = defaultWebPQualities
    public var jobs = Parallel.coreCount
    /// Examples in examples.png (0: none).
    public var examples = 8
    public var commandLine = ""
    public init() {}
}

/// The codec comparison: every codec setting over an image set, then the report.
public enum CompareBenchmark {
    /// The settings to measure, in report order: each aec model's bit depths, JPEG with standard tables,
    /// JPEG with optimized tables, WebP at its defaults, WebP with the settings that favour PSNR.
    public static func codecs(_ options: CompareOptions) -> [BenchCodec] {
        var list: [BenchCodec] = []
        for (name, model) in options.models {
            let codec = Codec(model: model)
            for bits in model.availableBits where options.bits?.contains(bits) ?? true {
                list.append(.aec(model: name, codec: codec, bits: bits, halfChroma: options.halfChroma, tiles: options.tiles))
            }
        }
        if !options.automaticRungs.isEmpty {
            for rung in options.automaticRungs {
                guard let choice = try? CodecChoice.shipped(rung: rung) else { continue }
                list.append(.aecAutomatic(rung: rung, choice: choice, halfChroma: options.halfChroma, tiles: options.tiles))
            }
        }
        let jpeg = Array(Set(options.jpegQualities)).sorted()
        list += jpeg.map { .jpeg(quality: $0, optimizedHuffman: false) }
        list += jpeg.map { .jpeg(quality: $0, optimizedHuffman: true) }
        list += Array(Set(options.webpQualities)).sorted().map { .webp(quality: $0) }
        list += Array(Set(options.webpQualities)).sorted().map { .webp(quality: $0, forPSNR: true) }
        return list
    }

    /// The setting the examples are matched to: the first aec model at the default bit depth (or the
    /// nearest it has), else JPEG at the quality nearest 50.
    public static func anchor(_ codecs: [BenchCodec]) -> Int? {
        let aec = codecs.indices.filter { codecs[$0].isAEC && codecs[$0].curve == codecs.first(where: \.isAEC)?.curve }
        if let best = aec.min(by: { abs(codecs[$0].parameter - Codec.defaultBits) < abs(codecs[$1].parameter - Codec.defaultBits) }) {
            return best
        }
        let jpeg = codecs.indices.filter { codecs[$0].family == "jpeg" }
        return jpeg.min { abs(codecs[$0].parameter - 50) < abs(codecs[$1].parameter - 50) }
    }

    /// Measures every setting on `set` and builds the report (the caller sets its `seconds`).
    public static func run(_ set: ImageSet, options: CompareOptions, progress: ProgressReporter? = nil) throws -> CompareReport {
        let codecs = self.codecs(options)
        guard !codecs.isEmpty else { throw BenchError.invalid("nothing to measure: no aec model, no JPEG and no WebP quality") }
        guard !set.images.isEmpty else { throw BenchError.noImages("no images to measure") }
        let n = set.images.count
        progress?.begin(total: 3 * n * codecs.count)
        var results: [SettingResult] = []
        for (k, codec) in codecs.enumerated() {
            let label = "\(codec.curve) \(codec.setting)"
            let r = try Comparison.measure(codec, on: set.images, jobs: options.jobs) { progress?.advance($0, label: label) }
            results.append(r)
            progress?.settingDone(index: k + 1, of: codecs.count,
                                  "\(label): \(fmt(r.meanBytes, 1)) B, \(fmt(r.meanPSNR, 2)) dB, SSIM \(fmt(r.meanSSIM, 4)), "
                                  + "\(fmt(r.encodeImagesPerSecond, 0)) enc/s, \(fmt(r.decodeImagesPerSecond, 0)) dec/s")
        }
        progress?.finish()
        var strip: ExampleStrip? = nil
        if let anchor = anchor(codecs) {
            strip = try ExampleStrip.build(images: set.images, codecs: codecs, results: results, anchor: anchor,
                                           count: options.examples)
        }
        var notes: [String] = []
        if options.models.isEmpty { notes.append("no aec model was measured (none shipped in this build and no --model given)") }
        if !options.models.isEmpty, set.images.contains(where: { $0.image.channels == 3 }) {
            notes.append(options.halfChroma ? "aec codes colour with chroma at half resolution (4:2:0, as aec-encode does by default), like JPEG and WebP"
                                            : "aec codes colour with chroma at full resolution (4:4:4, --full-chroma); JPEG and WebP use 4:2:0")
        }
        return CompareReport(set: set, results: results, jobs: options.jobs, commandLine: options.commandLine,
                             seconds: 0, examples: strip, notes: notes)
    }

    /// Creates `folder` if needed and checks that a file can be written in it, before any long work.
    /// - Throws: `BenchError.outputNotWritable`.
    public static func prepareOutput(_ folder: String) throws {
        do {
            try FileSystem.makeFolders(folder)
        } catch let error as FileSystemError {
            throw BenchError.outputNotWritable(path: folder, reason: error.reason)
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw BenchError.outputNotWritable(path: folder, reason: FileSystem.reason())
        }
    }
}
