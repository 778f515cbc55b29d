import Foundation
import XCTest

/// Runs one of the package's built executables and captures what it did.
struct ToolRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum Tools {
    /// The folder of the built products: the test bundle is run from it.
    static var productsFolder: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// The package root (for Samples/).
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `tool` with nothing on stdin (`CodecTools.run`, with stdout as text).
    static func run(_ tool: String, _ arguments: [String], in folder: URL? = nil) throws -> ToolRun {
        let run = try CodecTools.run(tool, arguments, in: folder)
        return ToolRun(status: run.status, stdout: String(decoding: run.stdout, as: UTF8.self), stderr: run.stderr)
    }

    /// The built executable `tool`. The test target depends on the executables, so a missing one is a
    /// failure, not a skip.
    static func executable(_ tool: String) throws -> URL {
        let candidates = [productsFolder.appendingPathComponent(tool),
                          productsFolder.deletingLastPathComponent().appendingPathComponent(tool)]
        guard let url = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            struct NotBuilt: Error, CustomStringConvertible { let description: String }
            throw NotBuilt(description: "\(tool) is not built next to the tests (looked in \(candidates.map(\.path)))")
        }
        return url
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("aec-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
