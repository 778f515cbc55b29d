import AECBase

/// Arguments that do not make sense together: the tool prints the message with its usage and exits 64.
public struct UsageError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Where one file comes from and goes to.
public struct PlannedFile: Equatable, Sendable {
    public enum Source: Equatable, Sendable {
        case stdin
        case file(String)
    }

    public enum Destination: Equatable, Sendable {
        case stdout
        case file(String)
    }

    public var source: Source
    public var destination: Destination
    /// Whether the destination's missing folders are made (when mirroring a tree into an output folder);
    /// otherwise a missing folder is an error, as with cjpeg.
    public var createsFolders = false
    /// The input's path relative to its input root (`a/b.png` for `IN/a/b.png`; the path as written for a
    /// file given by itself, `-` for stdin): what `Shard` hashes.
    public var relativePath = ""

    /// The input as messages name it: its path, or "stdin".
    public var name: String {
        if case .file(let path) = source { return path }
        return "stdin"
    }

    /// The output as messages name it: its path, or "stdout".
    public var destinationName: String {
        if case .file(let path) = destination { return path }
        return "stdout"
    }

    /// The input's path, nil for stdin.
    public var sourcePath: String? {
        if case .file(let path) = source { return path }
        return nil
    }
}

/// The command line's inputs and `-o` turned into a list of (input, output) pairs, cjpeg/cwebp style.
///
/// - Inputs are files, folders or `-` (stdin, only as the sole input).
/// - One file (or stdin) in: `-o` names the output file, or an existing folder (or a path ending in `/`),
///   in which case the output is that folder's entry named like the input with its extension replaced.
/// - Several inputs or a folder: `-o` names a folder (made if missing). A folder input is searched
///   recursively for files with one of `inputExtensions` (any case), skipping hidden entries (name starting with
///   `.`) and symbolic links to folders, and its tree is mirrored under the output folder; a file input
///   goes straight into the output folder. Files are listed in byte order of their paths.
/// - `-o -` (stdout) only with a single input file.
/// - No output (`--info`): the files found, each with stdout as its destination.
///
/// Inconsistent arguments throw `UsageError`; inputs that do not exist (or folders that cannot be listed)
/// and two inputs that would write the same output become `failures`, and the rest still goes ahead.
public struct InputPlan: Sendable {
    /// What to do, in order.
    public var files: [PlannedFile] = []
    /// Inputs that cannot be done, found while planning (each one line, exit status 1).
    public var failures: [FileFailure] = []
    /// Folder inputs in which no file was found.
    public var emptyFolders: [String] = []
    /// Files in the input folders without the input extension (not images of the kind read): left out.
    public var skippedOtherFiles = 0
    /// The output folder to make before writing, when `-o` names one.
    public var outputFolder: String?

    /// Extensions of image formats other than the ones the tools write.
    static let otherFormats = ["png", "aec", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff", "avif", "heic", "jxl", "ppm", "pgm"]

    /// Refuses an output file whose extension names another image format (`-o x.webp` for a tool that
    /// writes `.aec`): the bytes would lie about what they are. Other names (no extension, `.bin`) are fine.
    static func checkOutputName(_ output: String, outputExtension: String) throws {
        guard let other = otherFormats.first(where: { $0 != outputExtension && Paths.hasExtension(output, $0) }) else { return }
        let suggested = Paths.replacingExtension(of: output, with: outputExtension)
        throw UsageError("-o \(output): the name says .\(other), but this tool writes .\(outputExtension) files (name it \(suggested))")
    }

    public init(inputs: [String], output: String?, inputExtensions: [String], outputExtension: String) throws {
        guard !inputs.isEmpty else { throw UsageError("no input: give one or more files or folders, or - for stdin") }
        if inputs.contains("-") && inputs.count > 1 {
            throw UsageError("'-' (stdin) must be the only input")
        }
        let kinds = inputs.map { $0 == "-" ? FileSystem.Kind.file : FileSystem.kind(of: $0) }
        let single = inputs.count == 1 && kinds[0] != .folder
        guard let output else {
            // Only reading (`--info`): every file found, its destination stdout.
            for (input, kind) in zip(inputs, kinds) {
                if kind == .folder {
                    let found = scan(input, extensions: inputExtensions)
                    if found.isEmpty { emptyFolders.append(input) }
                    files += found.map { PlannedFile(source: .file(Paths.join(input, $0)), destination: .stdout, relativePath: $0) }
                } else {
                    add(input, kind: kind, destination: .stdout)
                }
            }
            return
        }

        if output == "-" {
            guard single else { throw UsageError("-o - (stdout) takes a single input file, not \(inputs.count == 1 ? "a folder" : "\(inputs.count) inputs")") }
            add(inputs[0], kind: kinds[0], destination: .stdout)
            return
        }
        let outputKind = FileSystem.kind(of: output)
        if single {
            if outputKind == .folder || output.hasSuffix("/") {
                guard inputs[0] != "-" else {
                    throw UsageError("-o \(output) is a folder: with stdin as input, give the output file's name")
                }
                if outputKind != .folder { outputFolder = output }
                let name = Paths.replacingExtension(of: Paths.name(of: inputs[0]), with: outputExtension)
                add(inputs[0], kind: kinds[0], destination: .file(Paths.join(output, name)))
            } else {
                try Self.checkOutputName(output, outputExtension: outputExtension)
                add(inputs[0], kind: kinds[0], destination: .file(output))
            }
            return
        }

        switch outputKind {
        case .folder, .missing: break
        case .file, .other:
            throw UsageError("-o \(output) exists and is not a folder; with several inputs or a folder, -o names a folder")
        }
        outputFolder = output
        var claimed: [String: String] = [:]  // output path → the input that claimed it
        for (input, kind) in zip(inputs, kinds) {
            if kind == .folder {
                let found = scan(input, extensions: inputExtensions)
                if found.isEmpty { emptyFolders.append(input) }
                for relative in found {
                    let source = Paths.join(input, relative)
                    let parent = Paths.parent(of: relative)
                    let renamed = Paths.replacingExtension(of: Paths.name(of: relative), with: outputExtension)
                    let mirrored = parent == "." ? renamed : Paths.join(parent, renamed)
                    claim(source, relativePath: relative, destination: Paths.join(output, mirrored), claimed: &claimed)
                }
            } else if case .missing(let reason) = kind {
                failures.append(FileFailure(path: input, cause: reason))
            } else {
                claim(input, relativePath: input, destination: Paths.join(output, Paths.replacingExtension(of: Paths.name(of: input), with: outputExtension)),
                      claimed: &claimed)
            }
        }
    }

    /// One input with a known destination (a missing input becomes a failure).
    private mutating func add(_ input: String, kind: FileSystem.Kind, destination: PlannedFile.Destination) {
        if case .missing(let reason) = kind {
            failures.append(FileFailure(path: input, cause: reason))
            return
        }
        files.append(PlannedFile(source: input == "-" ? .stdin : .file(input), destination: destination, relativePath: input))
    }

    /// Adds `source → destination` unless an earlier input already writes `destination`.
    private mutating func claim(_ source: String, relativePath: String, destination: String, claimed: inout [String: String]) {
        if let first = claimed[destination] {
            failures.append(FileFailure(path: source, cause: "would write \(destination), as \(first) does already"))
            return
        }
        claimed[destination] = source
        files.append(PlannedFile(source: .file(source), destination: .file(destination), createsFolders: true, relativePath: relativePath))
    }

    /// The files under `folder` with the input extension (`FolderWalk`'s rule), relative to it; folders
    /// that cannot be listed become failures.
    private mutating func scan(_ folder: String, extensions: [String]) -> [String] {
        let listing = FolderWalk.files(under: folder, extensions: extensions)
        failures += listing.unreadable.map { FileFailure(path: $0.path, cause: "cannot list the folder: \($0.reason)") }
        skippedOtherFiles += listing.otherFiles
        return listing.files
    }
}
