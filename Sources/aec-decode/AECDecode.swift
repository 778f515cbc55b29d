import AECBase
import AECCodec
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
            """,
        version: AECVersion.report(tool: "aec-decode"))

    /// Refuses file names that look like short flags (`-dash.png`) before the parser reads them as `-h`.
    static func main() { mainRefusingDashNames(shortFlags: ["h", "v"]) }

    @Argument(help: ArgumentHelp(".aec files, folders, or - for stdin.", valueName: "IN"))
    var inputs: [String]

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output file, folder, or - for stdout.", valueName: "OUT"))
    var output: String?

    @Option(help: ArgumentHelp("Model file (default: the shipped model each file was made with).", valueName: "FILE"))
    var model: String?

    @Flag(help: "Print each file's header (size, colour, bits, model, bytes) on stdout; decode nothing.")
    var info = false

    @OptionGroup var flags: RunFlags

    func run() throws {
        var request = DecodeRequest(inputs: inputs, output: output)
        request.modelPath = model
        request.info = info
        let status: Int32
        do {
            request.run = try flags.settings()
            status = try DecodeTool.run(request)
        } catch let error as UsageError {
            throw ValidationError(Formatting.oneLine(error.message))
        }
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}
