import AECCodec
import AECImage
import AECNet
import Foundation
import XCTest
import AECTestSupport

/// A run of a built tool with bytes on stdin and stdout kept as bytes (for `-` pipes).
struct BinaryRun {
    var status: Int32
    var stdout: Data
    var stderr: String
    /// The lines of stderr, without empty ones.
    var errorLines: [Substring] { stderr.split(separator: "\n") }
}

enum CodecTools {
    /// The built executable `tool` (see `Tools.executable`).
    static func executable(_ tool: String) throws -> URL { try Tools.executable(tool) }

    /// Runs `tool` with `arguments`, feeding `stdin` (nothing when nil), and waits for it.
    static func run(_ tool: String, _ arguments: [String], stdin: Data? = nil, in folder: URL? = nil,
                    environment: [String: String] = [:]) throws -> BinaryRun {
        let process = try start(tool, arguments, in: folder, environment: environment)
        let input = process.standardInput as! Pipe
        // Feed stdin on another thread: a tool that writes a lot before reading would otherwise deadlock.
        let feeder = Thread {
            if let stdin { try? input.fileHandleForWriting.write(contentsOf: stdin) }
            try? input.fileHandleForWriting.close()
        }
        feeder.start()
        return finish(process)
    }

    /// The variables through which schedulers give a process its shard: removed from the tools'
    /// environment unless a test sets them.
    static let schedulerVariables = ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX",
                                     "SLURM_ARRAY_TASK_COUNT", "JOB_COMPLETION_INDEX", "AEC_SHARD_COUNT",
                                     "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE", "BATCH_TASK_INDEX",
                                     "BATCH_TASK_COUNT"]

    /// Starts `tool` with pipes on stdin, stdout and stderr (call `finish` to collect it); `environment`
    /// is added to this process's environment (less the scheduler variables).
    static func start(_ tool: String, _ arguments: [String], in folder: URL? = nil,
                      environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = try executable(tool)
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        for name in schedulerVariables { variables[name] = nil }
        process.environment = variables.merging(environment) { $1 }
        if let folder { process.currentDirectoryURL = folder }
        process.standardInput = Pipe()
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }

    /// Reads stdout and stderr to their ends and waits for `process`.
    static func finish(_ process: Process) -> BinaryRun {
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        let err = (process.standardError as! Pipe).fileHandleForReading
        DispatchQueue.global().async { errBox.data = err.readDataToEndOfFile(); group.leave() }
        let out = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return BinaryRun(status: process.terminationStatus, stdout: out, stderr: String(decoding: errBox.data, as: UTF8.self))
    }
}

/// Tiny model files for the tool tests (`TinyModel`, written once per test process).
enum TinyModels {
    static func path(seed: UInt64) throws -> String { try TinyModel.path(seed: seed) }
}

/// Test images written with AECImage.
enum TestImages {
    /// A `width × height` image with `channels` channels of smoothly varying samples; alpha (when present)
    /// varies too, so it is stored.
    static func make(width: Int, height: Int, channels: Int) -> Image {
        var samples = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    samples[(y * width + x) * channels + c] = UInt8((x * 7 + y * 3 + c * 50) % 256)
                }
            }
        }
        return Image(width: width, height: height, channels: channels, samples: samples)
    }

    /// Writes `image` as a PNG at `path`.
    @discardableResult
    static func write(_ image: Image, to path: String) throws -> String {
        try PNG.write(image, to: path)
        return path
    }
}
