import AECBase
import AECCodec
import AECImage
import AECToolSupport
import ArgumentParser

@main
struct AECEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aec-encode",
        abstract: "Compress PNG and JPEG images into .aec files with an autoencoder codec.",
        discussion: """
            IN is a PNG or JPEG file (told by its first bytes; a JPEG is turned upright by its Exif orientation), \
            - for stdin, or a folder: folders are searched recursively for .png, .jpg and .jpeg files (hidden \
            entries and links to folders are skipped; other files are counted in the summary) and their tree is mirrored under OUT with .aec \
            names. With one file, OUT is the output file (or an existing folder to put it in); with several \
            inputs or a folder, OUT is a folder, made if missing; -o - writes to stdout.

            Outputs are written to a hidden temporary file and renamed into place: an interrupted run leaves \
            no partial file, and an existing file is never replaced without --force. A file that fails is \
            reported on one line and the others are still done; the exit status is then 1 (64 for bad usage). \
            Progress and a summary go to stderr. Alpha is stored losslessly unless it is opaque everywhere. Metadata (ICC profile, text) is dropped unless -metadata says to keep it.

            Examples:
              aec-encode photo.png -o photo.aec
              aec-encode shots/ -o shots-aec/ -q 30 --jobs 4
              aec-encode photo.png -o small.aec --bits 4
              aec-encode -v --model mine.aecm photo.png -o out/
              cat a.png | aec-encode - -o - > a.aec
            """,
        version: AECVersion.report(tool: "aec-encode"))

    /// Refuses file names that look like short flags (`-dash.png`) before the parser reads them as `-h`.
    static func main() { mainRefusingDashNames(shortFlags: ["h", "v"]) }

    @Argument(help: ArgumentHelp("PNG or JPEG files, folders, or - for stdin.", valueName: "IN"))
    var inputs: [String]

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output file, folder, or - for stdout.", valueName: "OUT"))
    var output: String?

    @Option(name: [.short, .long], help: ArgumentHelp(
        "Quality 0…100, as in cwebp: one of \(QualityLadder.levels.count) settings (Docs/MODELS.md), each a Fashion-MNIST model and the photo model with their bits; each image is coded by whichever of the two suits it (-v says which). Higher: larger files, better images. Default: as -q \(QualityLadder.qualities(ofRung: QualityLadder.defaultRung).upperBound).",
        valueName: "Q"))
    var quality: Int?

    @Option(help: ArgumentHelp("Bits per code value, \(Limits.bits.lowerBound)…\(Limits.bits.upperBound), with the default model (or --model) for every image, no choice (fewer: smaller files, lower quality; default \(Codec.defaultBits)).", valueName: "B"))
    var bits: Int?

    @Flag(help: "Code the colour (chroma) planes at full resolution (4:4:4) instead of half resolution in each direction (4:2:0, the default, as JPEG and WebP).")
    var fullChroma = false

    @Flag(help: "Code the colour (chroma) planes at half resolution (4:2:0): the default.")
    var halfChroma = false

    @Option(help: ArgumentHelp("Model file, used for every image (default: the shipped models, chosen per image).", valueName: "FILE"))
    var model: String?

    @Flag(help: "Code 28×28 tiles independently (format version 3), as before whole-image coding; by default an image larger than one tile is coded whole (version 5) when a sample of it comes out better that way.")
    var tiles = false

    @Option(name: [.customLong("metadata", withSingleDash: true), .customLong("metadata")], help: ArgumentHelp(
        "Metadata to keep, as cwebp's -metadata: none (default), icc (the ICC colour profile) or all (the profile and the text notes: PNG tEXt/zTXt/iTXt, JPEG comments). Kept metadata is written back into the decoded PNG.",
        valueName: "WHAT"))
    var metadata: ImageMetadata.Selection = .none

    @OptionGroup var flags: RunFlags

    func validate() throws {
        guard output != nil else {
            throw ValidationError("missing -o OUT: where to write (an .aec file, a folder, or - for stdout)")
        }
        if fullChroma && halfChroma {
            throw ValidationError("--full-chroma and --half-chroma contradict each other (half is the default)")
        }
        if quality != nil && (bits != nil || model != nil) {
            throw ValidationError("--quality picks the model and the bits: use it without --bits and --model")
        }
    }

    func run() throws {
        var request = EncodeRequest(inputs: inputs, output: output ?? "")
        request.options.bits = bits ?? Codec.defaultBits
        request.bitsGiven = bits != nil
        request.options.halfResolutionChroma = !fullChroma
        if tiles { request.options.wholeImage = false }
        request.quality = quality
        request.modelPath = model
        request.metadata = metadata
        let status: Int32
        do {
            request.run = try flags.settings()
            status = try EncodeTool.run(request)
        } catch let error as UsageError {
            throw ValidationError(Formatting.oneLine(error.message))
        }
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}

extension ImageMetadata.Selection: ExpressibleByArgument {}
