import AECToolSupport
import ArgumentParser

@main
struct AECDecode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aec-decode",
        abstract: "Decode .aec files back to PNG images, or show their headers.",
        discussion: """
            IN is an .aec file, - for stdin, or a folder: folders are searched recursively for .aec files \
            (hidden entries and links to folders are skipped) and their tree is mirrored under OUT with .png \
            names. With one file, OUT is the output file (or an existing folder to put it in); with several \
            inputs or a folder, OUT is a folder, made if missing; -o - writes to stdout.

            Without --model, each file is decoded with the shipped model whose fingerprint it carries. \
            Outputs are written to a hidden temporary file and renamed into place; an existing file is never \
            replaced without --force. A file that fails (damaged, truncated, made with another model, …) is \
            reported on one line and the others are still done; the exit status is then 1 (64 for bad usage).

            Examples:
              aec-decode photo.aec -o photo.png
              aec-decode shots-aec/ -o restored/
              aec-decode --model mine.aecm photo.aec -o - | display
              aec-decode --info photo.aec
            """)

    @Argument(help: ArgumentHelp(".aec files, folders, or - for stdin.", valueName: "IN"))
    var inputs: [String]

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output file, folder, or - for stdout.", valueName: "OUT"))
    var output: String?

    @Option(help: ArgumentHelp("Model file (default: the shipped model each file was made with).", valueName: "FILE"))
    var model: String?

    @Flag(help: "Replace output files that exist.")
    var force = false

    @Option(help: ArgumentHelp("Threads: files in parallel, or the tiles of a single file (default: the number of cores).", valueName: "N"))
    var jobs: Int?

    @Flag(name: [.short, .long], help: "One line per file.")
    var verbose = false

    @Flag(name: [.short, .long], help: "Print nothing but errors.")
    var quiet = false

    @Option(help: ArgumentHelp("Refuse images with more pixels than this.", valueName: "N"))
    var maxPixels = ToolDefaults.maxPixels

    @Flag(help: "Print each file's header (size, colour, bits, model, bytes) on stdout; decode nothing.")
    var info = false

    func validate() throws {
        if info {
            guard output == nil else { throw ValidationError("--info prints on stdout; it takes no -o") }
        } else {
            guard output != nil else {
                throw ValidationError("missing -o OUT: where to write (a PNG file, a folder, or - for stdout)")
            }
        }
        if let jobs, !(1...1024).contains(jobs) { throw ValidationError("--jobs must be from 1 to 1024 (got \(jobs))") }
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be at least 1") }
        guard !(verbose && quiet) else { throw ValidationError("--verbose and --quiet cannot be used together") }
    }

    func run() throws {
        var request = DecodeRequest(inputs: inputs, output: output)
        request.modelPath = model
        request.force = force
        request.jobs = jobs ?? ToolDefaults.jobs
        request.verbosity = quiet ? .quiet : verbose ? .verbose : .normal
        request.maxPixels = maxPixels
        request.info = info
        let status: Int32
        do {
            status = try DecodeTool.run(request)
        } catch let error as UsageError {
            throw ValidationError(error.message)
        }
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}
