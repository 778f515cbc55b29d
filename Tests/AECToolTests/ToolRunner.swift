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

    static func run(_ tool: String, _ arguments: [String], in folder: URL? = nil) throws -> ToolRun {
        let process = Process()
        let executable = try Self.executable(tool)
        process.executableURL = executable
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end before waiting, so a chatty tool cannot block on a full pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return ToolRun(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
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
