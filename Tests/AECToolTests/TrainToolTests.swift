import AECCodec
import AECNet
import Foundation
import XCTest

/// `aec-train` as a user runs it: exit 0 and a loadable model on success; on bad input a one-line error
/// naming the cause, a non-zero status (64 for bad usage, 1 otherwise) and no output file.
final class TrainToolTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try Tools.temporaryFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func output(_ name: String = "m.aecm") -> String { folder.appendingPathComponent(name).path }

    func assertFailure(_ run: ToolRun, status: Int32, mentions text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, status, "stderr: \(run.stderr)", file: file, line: line)
        XCTAssertTrue(run.stderr.contains(text), "stderr should mention '\(text)': \(run.stderr)", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output()), "no model file after a failure", file: file, line: line)
    }

    func testShortRunOnSamplesWritesAModelAndACheckpoint() throws {
        let samples = Tools.packageRoot.appendingPathComponent("Samples").path
        let run = try Tools.run("aec-train", ["--png-dir", samples, "--epochs", "1", "--limit", "32", "--widths", "2,2,2",
                                              "--batch-size", "16", "--threads", "2", "-o", output()])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("test PSNR"), run.stderr)
        let model = try ModelFile.load(from: output()).model
        XCTAssertEqual(model.architecture, Architecture(w1: 2, w2: 2, w3: 2))
        XCTAssertTrue(FileManager.default.fileExists(atPath: output() + ".ckpt"))
        // --quiet prints nothing.
        let quiet = try Tools.run("aec-train", ["--png-dir", samples, "--epochs", "1", "--limit", "8", "--widths", "2,2,2",
                                                "--quiet", "-o", output("q.aecm")])
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stderr, "")
    }

    /// Larger crops with chroma and the rate term, as `photo` was trained: a model and a checkpoint whose
    /// rate model has one distribution per code channel.
    func testLargerCropsWithChroma() throws {
        let samples = Tools.packageRoot.appendingPathComponent("Samples").path
        let run = try Tools.run("aec-train", ["--png-dir", samples, "--epochs", "1", "--limit", "16", "--widths", "2,2,2",
                                              "--code-channels", "2", "--crop-size", "40", "--chroma", "--bits", "4",
                                              "--rate-lambda", "1e-3", "--rate-lr-scale", "10", "--entropy-bits", "4",
                                              "--batch-size", "8", "-o", output()])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("40×40 crops"), run.stderr)
        XCTAssertEqual(try ModelFile.load(from: output()).model.architecture.codeChannels, 2)
        // Resuming it as a 28×28 run is refused with a hint: its rate model has one distribution per channel.
        let resume = try Tools.run("aec-train", ["--png-dir", samples, "--epochs", "2", "--limit", "16", "--widths", "2,2,2",
                                                 "--code-channels", "2", "--chroma", "--bits", "4", "--rate-lambda", "1e-3",
                                                 "--batch-size", "8", "--resume", output() + ".ckpt", "-o", output("r.aecm")])
        XCTAssertEqual(resume.status, 1, resume.stderr)
        XCTAssertTrue(resume.stderr.contains("rate model has 2 positions; resume with the same --crop-size"), resume.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output("r.aecm")))
    }

    func testBadOptionsAreUsageErrors() throws {
        for args in [["--epochs", "0"], ["--widths", "32,32"], ["--widths", "a,b,c"], ["--bits", "9"],
                     ["--mask-noise", "1.5"], ["--batch-size", "0"], ["--lr", "-1"], ["--test-png-dir", "x"],
                     ["--entropy-bits", "9"], ["--entropy-bits", "3,3"], ["--entropy-bits", "4,"], ["--entropy-bits", ""],
                     ["--png-dir", "x", "--crop-size", "30"], ["--png-dir", "x", "--crop-size", "24"], ["--png-dir", "x", "--crop-size", "260"],
                     ["--crop-size", "32"], ["--chroma"], ["--rate-lr-scale", "0"], ["--rate-lr-scale", "nan"]] {
            let run = try Tools.run("aec-train", args + ["-o", output()])
            assertFailure(run, status: 64, mentions: "Error")
        }
        assertFailure(try Tools.run("aec-train", []), status: 64, mentions: "--output")
    }

    func testMissingDatasetIsAClearError() throws {
        let run = try Tools.run("aec-train", ["--fashion-mnist", folder.appendingPathComponent("nope").path, "-o", output()])
        assertFailure(run, status: 1, mentions: "aec-train: error:")
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
    }

    func testMissingPNGFolderIsAClearError() throws {
        let run = try Tools.run("aec-train", ["--png-dir", folder.appendingPathComponent("nope").path, "-o", output()])
        assertFailure(run, status: 1, mentions: "nope")
    }

    func testFolderWithoutPNGsIsAClearError() throws {
        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let run = try Tools.run("aec-train", ["--png-dir", empty.path, "-o", output()])
        assertFailure(run, status: 1, mentions: "aec-train: error:")
    }

    func testUnwritableOutputFailsBeforeTraining() throws {
        let samples = Tools.packageRoot.appendingPathComponent("Samples").path
        let target = folder.appendingPathComponent("missing/m.aecm").path
        let run = try Tools.run("aec-train", ["--png-dir", samples, "--widths", "2,2,2", "-o", target])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("no such folder"), run.stderr)
        XCTAssertFalse(run.stderr.contains("epoch"), "it should fail before training: \(run.stderr)")
    }

    /// `--init-from`: a short run started from a trained model writes a model with the grown code; a model
    /// of other widths, a file that is not a model, or --init-from with --resume are one-line errors.
    func testInitFrom() throws {
        let samples = Tools.packageRoot.appendingPathComponent("Samples").path
        let start = output("start.aecm")
        let first = try Tools.run("aec-train", ["--png-dir", samples, "--epochs", "1", "--limit", "16", "--widths", "2,2,2",
                                                "--quiet", "-o", start])
        XCTAssertEqual(first.status, 0, first.stderr)
        let grown = try Tools.run("aec-train", ["--png-dir", samples, "--epochs", "1", "--limit", "16", "--widths", "2,2,2",
                                                "--code-channels", "2", "--init-from", start, "--quiet", "-o", output()])
        XCTAssertEqual(grown.status, 0, grown.stderr)
        XCTAssertEqual(try ModelFile.load(from: output()).model.architecture, Architecture(w1: 2, w2: 2, w3: 2, codeChannels: 2))
        try FileManager.default.removeItem(atPath: output())

        let wider = try Tools.run("aec-train", ["--png-dir", samples, "--widths", "3,2,2", "--init-from", start, "-o", output()])
        assertFailure(wider, status: 1, mentions: "widths")
        XCTAssertEqual(wider.stderr.split(separator: "\n").count, 1, wider.stderr)
        let bogus = folder.appendingPathComponent("bogus.aecm")
        try Data("hello".utf8).write(to: bogus)
        assertFailure(try Tools.run("aec-train", ["--png-dir", samples, "--widths", "2,2,2", "--init-from", bogus.path, "-o", output()]),
                      status: 1, mentions: "not an aec model file")
        assertFailure(try Tools.run("aec-train", ["--png-dir", samples, "--init-from", start, "--resume", start, "-o", output()]),
                      status: 64, mentions: "--init-from")
    }

    /// `--entropy-bits`: the model gets tables for those bit depths only.
    func testEntropyBits() throws {
        let samples = Tools.packageRoot.appendingPathComponent("Samples").path
        let run = try Tools.run("aec-train", ["--png-dir", samples, "--epochs", "1", "--limit", "16", "--widths", "2,2,2",
                                              "--entropy-bits", "5,3", "-o", output()])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try CodecModel.load(from: output()).availableBits, [3, 5])
        XCTAssertFalse(run.stderr.contains("  4 bits"), run.stderr)
    }

    func testResumeFromSomethingThatIsNotACheckpoint() throws {
        let bogus = folder.appendingPathComponent("bogus.ckpt")
        try Data("hello".utf8).write(to: bogus)
        let samples = Tools.packageRoot.appendingPathComponent("Samples").path
        let run = try Tools.run("aec-train", ["--png-dir", samples, "--widths", "2,2,2", "--resume", bogus.path, "-o", output()])
        assertFailure(run, status: 1, mentions: "not an aec model file")
    }

    /// A damaged PNG in the training folder is reported and left out (as aec-encode does), not fatal; a
    /// folder whose only PNG is damaged is still an error naming it.
    func testADamagedPNGIsSkippedWithAWarning() throws {
        let images = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let samples = Tools.packageRoot.appendingPathComponent("Samples")
        for name in ["fashion-0.png", "fashion-1.png"] {
            try FileManager.default.copyItem(at: samples.appendingPathComponent(name), to: images.appendingPathComponent(name))
        }
        try Data("not a png".utf8).write(to: images.appendingPathComponent("broken.png"))
        let run = try Tools.run("aec-train", ["--png-dir", images.path, "--epochs", "1", "--limit", "8", "--widths", "2,2,2",
                                              "-o", output()])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("warning: \(images.appendingPathComponent("broken.png").path): not a PNG file"), run.stderr)
        XCTAssertTrue(run.stderr.contains("1 PNG file(s) skipped, 2 used for training"), run.stderr)
        XCTAssertNoThrow(try ModelFile.load(from: output()))

        let only = folder.appendingPathComponent("only")
        try FileManager.default.createDirectory(at: only, withIntermediateDirectories: true)
        try Data("not a png".utf8).write(to: only.appendingPathComponent("broken.png"))
        try? FileManager.default.removeItem(atPath: output())
        let failed = try Tools.run("aec-train", ["--png-dir", only.path, "-o", output()])
        assertFailure(failed, status: 1, mentions: "broken.png")
    }

    func testInfoDescribesAModelFile() throws {
        let samples = Tools.packageRoot.appendingPathComponent("Samples").path
        let trained = try Tools.run("aec-train", ["--png-dir", samples, "--epochs", "1", "--limit", "8", "--widths", "2,3,4",
                                                  "--quiet", "-o", output()])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let model = try CodecModel.load(from: output())
        let run = try Tools.run("aec-train", ["info", output()])
        XCTAssertEqual(run.status, 0, run.stderr)
        for expected in ["fingerprint: \(String(format: "%06x", model.fingerprint))", "widths:      2/3/4",
                         "code:        7×7×1", "bit depths:  \(model.availableBits.map(String.init).joined(separator: ", "))"] {
            XCTAssertTrue(run.stdout.contains(expected), "'\(expected)' in \(run.stdout)")
        }
        let shipped = try Tools.run("aec-train", ["info", Tools.packageRoot.appendingPathComponent("Sources/AECCodec/Models/default.aecm").path])
        XCTAssertTrue(shipped.stdout.contains("(shipped: default)"), shipped.stdout)
        let notModel = try Tools.run("aec-train", ["info", Tools.packageRoot.appendingPathComponent("Samples/fashion-0.png").path])
        XCTAssertEqual(notModel.status, 1)
        XCTAssertTrue(notModel.stderr.contains("fashion-0.png: not an aec model file"), notModel.stderr)
    }
}
