import AECBase
import AECCodec
import Foundation
import XCTest

/// The tools installed by `scripts/install.sh` (binaries in PREFIX/bin, models in PREFIX/share/aec/models)
/// work on their own: they find the models from their own folder, not through the build folder, and
/// without models they say where they looked instead of crashing.
final class InstallToolTests: XCTestCase {
    var prefix: String!

    override func setUpWithError() throws { prefix = try Tools.temporaryFolder().path }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: prefix) }

    func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> BinaryRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        variables["AEC_MODELS"] = nil
        process.environment = variables.merging(environment) { $1 }
        process.standardInput = Pipe()
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return CodecTools.finish(process)
    }

    func testInstalledToolsFindTheirModelsAndSayWhereTheyLookedWithout() throws {
        // The install script's copying part, on the binaries of this build.
        let install = try run("/bin/bash", [Tools.packageRoot.appendingPathComponent("scripts/install.sh").path, "--no-build", prefix],
                              environment: ["AEC_BUILD_DIR": Tools.productsFolder.path])
        XCTAssertEqual(install.status, 0, install.stderr)
        let bin = Paths.join(prefix, "bin")
        XCTAssertEqual(FileSystem.kind(of: Paths.join(prefix, "share/aec/models/default.aecm")), .file)
        XCTAssertEqual(FileSystem.kind(of: Paths.join(bin, "aec_AECCodec.resources")), .missing(reason: "No such file or directory"),
                       "no resource bundle next to the installed binaries")

        let sample = Tools.packageRoot.appendingPathComponent("Samples/fashion-0.png").path
        let coded = Paths.join(prefix, "x.aec"), decoded = Paths.join(prefix, "x.png")
        let encode = try run(Paths.join(bin, "aec-encode"), [sample, "-o", coded, "--quiet"])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        let decode = try run(Paths.join(bin, "aec-decode"), [coded, "-o", decoded, "--quiet"])
        XCTAssertEqual(decode.status, 0, decode.stderr)
        XCTAssertEqual(FileSystem.kind(of: decoded), .file)

        // Models moved away: a clear error, exit 1, no crash; AEC_MODELS points elsewhere.
        try FileManager.default.moveItem(atPath: Paths.join(prefix, "share"), toPath: Paths.join(prefix, "moved"))
        let missing = try run(Paths.join(bin, "aec-encode"), [sample, "-o", Paths.join(prefix, "y.aec")])
        XCTAssertEqual(missing.status, 1, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("the shipped models are not installed") && missing.stderr.contains("share/aec/models"), missing.stderr)
        let undecodable = try run(Paths.join(bin, "aec-decode"), [coded, "-o", Paths.join(prefix, "y.png")])
        XCTAssertEqual(undecodable.status, 1, undecodable.stderr)
        XCTAssertTrue(undecodable.stderr.contains("not installed"), undecodable.stderr)
        let pointed = try run(Paths.join(bin, "aec-decode"), [coded, "-o", Paths.join(prefix, "z.png"), "--quiet"],
                              environment: ["AEC_MODELS": Paths.join(prefix, "moved/aec/models")])
        XCTAssertEqual(pointed.status, 0, pointed.stderr)
    }

    func testEveryToolPrintsItsVersion() throws {
        for tool in ["aec-encode", "aec-decode", "aec-train", "aec-bench"] {
            let run = try run(try Tools.executable(tool).path, ["--version"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let text = String(decoding: run.stdout, as: UTF8.self)
            for expected in ["\(tool) \(AECVersion.release)", "writes version \(AECFile.wholeImageVersion) (whole images), or \(AECFile.version) (28×28 tiles; \(AECFile.metadataVersion) with metadata), reads versions 1–\(AECFile.wholeImageVersion)",
                             "shipped models: ", "default (", "engine: "] {
                XCTAssertTrue(text.contains(expected), "\(tool): '\(expected)' in \(text)")
            }
        }
    }
}
