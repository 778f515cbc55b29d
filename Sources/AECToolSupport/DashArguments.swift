import AECBase
import ArgumentParser

/// Arguments that start with `-` but are not options: file names such as `-dash.png`.
///
/// The argument parser reads `-dash.png` as the short flags `-d -a -s -h …` and, finding `-h`, prints the
/// help and exits 0 with nothing done. The tools check their arguments first: an argument before `--` that
/// starts with a single `-`, is longer than two characters, and is not a cluster of the tool's short flags
/// (`-vf`) is a usage error that says how to name such a file.
public enum DashArguments {
    /// The first such argument of `arguments` (the command line without the program name), or nil.
    /// `shortFlags` are the letters of the tool's short options that take no value; `singleDashOptions` the
    /// long options written with one dash, as cwebp's (`-mt`, `-metadata`).
    public static func firstMistaken(in arguments: [String], shortFlags: Set<Character>,
                                     singleDashOptions: Set<String> = ["-mt", "-metadata"]) -> String? {
        for argument in arguments {
            if argument == "--" { return nil }
            if singleDashOptions.contains(argument) { continue }
            guard argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2 else { continue }
            if argument.dropFirst().allSatisfy(shortFlags.contains) { continue }
            // A negative number is an option's value (`--jobs -1`): the option reports it.
            if Int(argument) != nil { continue }
            return argument
        }
        return nil
    }

    /// The usage error for `argument`.
    public static func message(for argument: String, tool: String) -> String {
        let name = Formatting.oneLine(argument)
        return "unknown option '\(name)'. To name a file that starts with '-', put it last, after '--' "
            + "(\(tool) -o OUT [options] -- \(name)), or write ./\(name)"
    }
}

extension ParsableCommand {
    /// The tool's entry point: refuses an argument that looks like short flags but is not (`-dash.png`,
    /// which the parser would read as `-h`), then parses and runs as usual. `shortFlags` as in
    /// `DashArguments.firstMistaken`.
    public static func mainRefusingDashNames(shortFlags: Set<Character>) {
        if let argument = DashArguments.firstMistaken(in: Array(CommandLine.arguments.dropFirst()), shortFlags: shortFlags) {
            exit(withError: ValidationError(DashArguments.message(for: argument, tool: configuration.commandName ?? "aec")))
        }
        main(nil)
    }
}
