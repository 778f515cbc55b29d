import AECBase
import AECCodec
import AECImage
import Foundation

/// The work done for one file: read, convert, write atomically. Each throws `FileFailure` naming the
/// input (or the output, when writing fails), and leaves no output behind when it does.
public protocol FileJob: Sendable {
    /// Converts one file using up to `jobs` threads for its tiles; `progress` (when given) hears the
    /// fraction done within the file.
    func run(_ file: PlannedFile, jobs: Int, progress: Codec.ProgressHandler?) throws -> FileOutcome
}

/// PNG or JPEG → `.aec`.
public struct EncodeJob: FileJob {
    /// The model and bits, or several to choose from per image (`CodecChoice`).
    public let choice: CodecChoice
    /// Chroma resolution and the like (the bits are the candidates'; `jobs` is set per call).
    public let options: EncodeOptions
    /// Which of each input's metadata is stored.
    public let metadata: ImageMetadata.Selection
    public let maxPixels: Int
    public let force: Bool
    /// Decode what was just encoded and report its PSNR (for `-v`).
    public let measureQuality: Bool

    public init(choice: CodecChoice, options: EncodeOptions, metadata: ImageMetadata.Selection = .none, maxPixels: Int,
                force: Bool, measureQuality: Bool) {
        self.choice = choice; self.options = options; self.metadata = metadata; self.maxPixels = maxPixels
        self.force = force; self.measureQuality = measureQuality
    }

    public func run(_ file: PlannedFile, jobs: Int, progress: Codec.ProgressHandler? = nil) throws -> FileOutcome {
        try AtomicOutput.check(file.destination, force: force, createFolders: file.createsFolders)
        // The input's bytes are let go once decoded: only their count (and the metadata kept) remain.
        let (bytesIn, image, kept) = try FileFailure.naming(file.name) { () throws -> (Int, Image, ImageMetadata) in
            let input = try ImageInput.readBytes(file.sourcePath, maxPixels: maxPixels)
            let image = try ImageInput.decode(input, maxPixels: maxPixels)
            return (input.count, image, metadata == .none ? ImageMetadata() : ImageInput.metadata(of: input).kept(metadata))
        }
        let (encoded, chosen, psnr) = try FileFailure.naming(file.name) { () throws -> (Codec.Encoded, CodecChoice.Candidate, Double?) in
            var options = self.options
            options.metadata = kept
            options.jobs = jobs
            options.maxPixels = maxPixels
            options.progress = progress
            let result = try choice.encode(image, options: options)
            let chosen = choice.candidates[result.chosen]
            var psnr: Double? = nil
            if measureQuality {
                let decoded = try chosen.codec.decode(result.encoded.bytes, jobs: jobs, maxPixels: Int.max)
                psnr = Self.colourPSNR(image, decoded)
            }
            return (result.encoded, chosen, psnr)
        }
        let quality = psnr.map { ", " + Self.psnrText($0) } ?? ""
        try AtomicOutput.write(encoded.bytes, to: file.destination, force: force, createFolders: file.createsFolders)

        var notes = encoded.notes
        if choice.candidates.count > 1 {
            notes.append("model \(chosen.name) at \(chosen.bits) bits (chosen among \(choice.candidates.map { "\($0.name) \($0.bits)" }.joined(separator: ", ")))")
        }
        if image.hasAlpha && !Self.hasTransparency(image) { notes.append("alpha is opaque everywhere: not stored") }
        if !kept.isEmpty { notes.append("metadata kept: \(InfoReport.metadataText(kept))") }
        let pixels = image.width * image.height
        let detail = "\(file.name) → \(file.destinationName): \(image.width)×\(image.height) \(Self.kind(image)), "
            + "\(bytesIn) → \(encoded.bytes.count) bytes, "
            + String(format: "%.3f bits/pixel", 8 * Double(encoded.bytes.count) / Double(pixels)) + quality
        return FileOutcome(bytesIn: bytesIn, bytesOut: encoded.bytes.count, pixels: pixels, detail: detail, notes: notes,
                           model: String(format: "%06x", chosen.codec.model.fingerprint), bits: chosen.bits, psnr: psnr)
    }

    /// "PSNR 31.42 dB" (colour channels only: alpha is stored exactly).
    static func psnrText(_ psnr: Double) -> String {
        psnr.isFinite ? String(format: "PSNR %.2f dB", psnr) : "PSNR inf (exact)"
    }

    /// PSNR over the colour channels of two images of the same size (`Quality.colourMSE`).
    static func colourPSNR(_ a: Image, _ b: Image) -> Double {
        Quality.psnr(mse: Quality.colourMSE(a, b))
    }

    /// Whether some alpha sample is below 255.
    static func hasTransparency(_ image: Image) -> Bool {
        guard image.hasAlpha else { return false }
        let c = image.channels
        return (0..<(image.width * image.height)).contains { image.samples[$0 * c + c - 1] != 255 }
    }

    static func kind(_ image: Image) -> String {
        ["gray", "gray+alpha", "RGB", "RGBA"][image.channels - 1]
    }
}

/// `.aec` → PNG.
public struct DecodeJob: FileJob {
    public let models: ModelChoice
    public let maxPixels: Int
    public let force: Bool

    public init(models: ModelChoice, maxPixels: Int, force: Bool) {
        self.models = models; self.maxPixels = maxPixels; self.force = force
    }

    public func run(_ file: PlannedFile, jobs: Int, progress: Codec.ProgressHandler? = nil) throws -> FileOutcome {
        try AtomicOutput.check(file.destination, force: force, createFolders: file.createsFolders)
        let input = try FileFailure.naming(file.name) { try AECFile.readBytes(file.sourcePath, maxPixels: maxPixels) }
        let (image, png, header) = try FileFailure.naming(file.name) { () throws -> (Image, [UInt8], AECFile) in
            let header = try AECFile(bytes: input, maxPixels: maxPixels)
            let image = try models.codec(forFingerprint: header.modelFingerprint).decode(header, jobs: jobs, progress: progress)
            return (image, try PNG.encode(image, metadata: header.metadata), header)
        }
        try AtomicOutput.write(png, to: file.destination, force: force, createFolders: file.createsFolders)
        let pixels = image.width * image.height
        let detail = "\(file.name) → \(file.destinationName): \(image.width)×\(image.height) \(EncodeJob.kind(image)), "
            + "\(input.count) → \(png.count) bytes, "
            + String(format: "%.3f bits/pixel", 8 * Double(input.count) / Double(pixels))
        return FileOutcome(bytesIn: input.count, bytesOut: png.count, pixels: pixels, detail: detail,
                           model: String(format: "%06x", header.modelFingerprint), bits: header.bits)
    }
}
