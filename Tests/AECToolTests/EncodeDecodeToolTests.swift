import AECBase
import AECCodec
import AECImage
import AECNet
import AECTestSupport
import Foundation
import XCTest

/// `aec-encode` and `aec-decode` as a user runs them, with a tiny model passed with `--model` (the tests
/// do not depend on the shipped default model). On bad input: one line on stderr naming the file, a
/// non-zero status, no output file and no temporary file left behind.
final class EncodeDecodeToolTests: XCTestCase {
    var folder: URL!
    var model: String!

    override func setUpWithError() throws {
        folder = try Tools.temporaryFolder()
        model = try TinyModels.path(seed: 1)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    // MARK: Helpers

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    var samples: URL { Tools.packageRoot.appendingPathComponent("Samples") }

    func sample(_ name: String) -> String { samples.appendingPathComponent(name).path }

    func encode(_ arguments: [String], stdin: Data? = nil) throws -> BinaryRun {
        try CodecTools.run("aec-encode", arguments + ["--model", model], stdin: stdin)
    }

    func decode(_ arguments: [String], stdin: Data? = nil) throws -> BinaryRun {
        try CodecTools.run("aec-decode", arguments + ["--model", model], stdin: stdin)
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    func write(_ bytes: [UInt8], to path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Every file under `root`, relative, sorted (hidden ones included).
    func tree(_ root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        return enumerator.compactMap { $0 as? String }
            .filter { !isFolder(root + "/" + $0) }
            .sorted()
    }

    func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Temporary files (hidden names) anywhere under the test folder.
    func leftovers() -> [String] {
        tree(folder.path).filter { $0.split(separator: "/").contains { $0.hasPrefix(".") } }
    }

    /// A failure: `status`, exactly one error line on stderr (besides the summary), naming `file` and mentioning `cause`; `output` not
    /// written; no temporary files.
    func assertFails(_ run: BinaryRun, status: Int32 = 1, tool: String = "aec-encode", naming file: String,
                     cause: String, output: String?, line: UInt = #line) {
        XCTAssertEqual(run.status, status, "stderr: \(run.stderr)", line: line)
        let errors = run.errorLines.filter { $0.hasPrefix("\(tool): error: ") }
        XCTAssertEqual(errors.count, 1, "one error line on stderr: \(run.stderr)", line: line)
        XCTAssertTrue(errors.first?.hasPrefix("\(tool): error: \(file): ") == true, "names the file: \(run.stderr)", line: line)
        XCTAssertTrue(errors.first?.contains(cause) == true, "mentions '\(cause)': \(run.stderr)", line: line)
        if let output { XCTAssertFalse(exists(output), "no output after a failure", line: line) }
        XCTAssertEqual(leftovers(), [], "no temporary files", line: line)
    }

    /// A small valid `.aec` file (of fashion-0.png with the tiny model) and its path.
    func validAEC(_ name: String = "ok.aec") throws -> (path: String, bytes: [UInt8]) {
        let output = path(name)
        let run = try encode([sample("fashion-0.png"), "-o", output, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        return (output, try bytes(output))
    }

    // MARK: Round trips

    func testSingleFilesRoundTripWithTheirSizeChannelsAndAlpha() throws {
        var inputs = [sample("fashion-0.png"), sample("gradient-rgb-61x45.png"), sample("ramp-rgba-30x30.png"),
                      sample("strip-1x100.png")]
        for (name, w, h, c) in [("gray-alpha", 13, 9, 2), ("one-gray", 1, 1, 1), ("one-rgba", 1, 1, 4),
                                ("row-rgb", 100, 1, 3), ("odd-rgb", 61, 45, 3)] {
            inputs.append(try TestImages.write(TestImages.make(width: w, height: h, channels: c), to: path("\(name).png")))
        }
        for (i, input) in inputs.enumerated() {
            let original = try PNG.read(contentsOf: input)
            let coded = path("out\(i).aec"), restored = path("out\(i).png")
            let encoded = try encode([input, "-o", coded])
            XCTAssertEqual(encoded.status, 0, encoded.stderr)
            XCTAssertTrue(encoded.stderr.contains("1 file done"), encoded.stderr)
            let decoded = try decode([coded, "-o", restored])
            XCTAssertEqual(decoded.status, 0, decoded.stderr)
            let image = try PNG.read(contentsOf: restored)
            XCTAssertEqual([image.width, image.height, image.channels], [original.width, original.height, original.channels], input)
            if original.hasAlpha {
                let c = original.channels
                let alpha = { (im: Image) in (0..<(im.width * im.height)).map { im.samples[$0 * c + c - 1] } }
                XCTAssertEqual(alpha(image), alpha(original), "alpha is restored exactly: \(input)")
            }
        }
        XCTAssertEqual(leftovers(), [])
    }

    func testOpaqueAlphaIsDroppedAndHalfChromaKeepsTheSize() throws {
        var opaque = TestImages.make(width: 20, height: 11, channels: 4)
        for i in 0..<(20 * 11) { opaque.samples[i * 4 + 3] = 255 }
        let input = try TestImages.write(opaque, to: path("opaque.png"))
        // Half-resolution chroma is the default (as JPEG and WebP); --full-chroma gives 4:4:4.
        XCTAssertEqual(try encode([input, "-o", path("opaque.aec")]).status, 0)
        let info = try decode(["--info", path("opaque.aec")])
        XCTAssertTrue(info.stdoutText.contains("YCbCr 4:2:0"), info.stdoutText)
        XCTAssertEqual(try encode([input, "-o", path("half.aec"), "--half-chroma"]).status, 0)
        XCTAssertEqual(try bytes(path("half.aec")), try bytes(path("opaque.aec")), "--half-chroma is the default")
        XCTAssertEqual(try encode([input, "-o", path("full.aec"), "--full-chroma"]).status, 0)
        XCTAssertTrue(try decode(["--info", path("full.aec")]).stdoutText.contains("YCbCr 4:4:4"))
        XCTAssertEqual(try encode([input, "-o", path("both.aec"), "--full-chroma", "--half-chroma"]).status, 64)
        XCTAssertTrue(info.stdoutText.contains("alpha:      none"), info.stdoutText)
        XCTAssertEqual(try decode([path("opaque.aec"), "-o", path("opaque-out.png")]).status, 0)
        let image = try PNG.read(contentsOf: path("opaque-out.png"))
        XCTAssertEqual([image.width, image.height, image.channels], [20, 11, 3])
    }

    func testOutputIntoAnExistingFolderTakesTheInputsName() throws {
        try FileManager.default.createDirectory(atPath: path("dest"), withIntermediateDirectories: true)
        XCTAssertEqual(try encode([sample("fashion-1.png"), "-o", path("dest")]).status, 0)
        XCTAssertEqual(tree(path("dest")), ["fashion-1.aec"])
        // A path ending in "/" names a folder, made if missing.
        XCTAssertEqual(try decode([path("dest/fashion-1.aec"), "-o", path("new") + "/"]).status, 0)
        XCTAssertEqual(tree(path("new")), ["fashion-1.png"])
    }

    // MARK: Folders

    func testFoldersAreMirroredRecursively() throws {
        let source = path("shots")
        for name in ["a.png", "sub/b.PNG", "sub/deeper/c.png", "sub/notes.txt", "photo.gif", ".hidden.png", "sub/.cache/d.png"] {
            try write(try bytes(sample("fashion-2.png")), to: source + "/" + name)
        }
        try FileManager.default.createSymbolicLink(atPath: source + "/linked", withDestinationPath: source + "/sub")
        let run = try encode([source, "-o", path("shots-aec")])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("3 files done, 2 other files skipped (not .png/.jpg)"), "what was left out is counted: \(run.stderr)")
        XCTAssertEqual(tree(path("shots-aec")), ["a.aec", "sub/b.aec", "sub/deeper/c.aec"])

        let back = try decode([path("shots-aec"), "-o", path("restored")])
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertEqual(tree(path("restored")), ["a.png", "sub/b.png", "sub/deeper/c.png"])
        XCTAssertEqual(try PNG.read(contentsOf: path("restored/sub/deeper/c.png")).width, 28)
    }

    /// JPEG input: a file, stdin, and `.jpg` files in a folder; the Exif orientation is applied.
    func testJPEGInputIsTurnedUprightAndFoldersIncludeIt() throws {
        let image = TestImages.make(width: 40, height: 24, channels: 3)
        let plain = try JPEG.encode(image, quality: 95, optimizeHuffman: false)
        // APP1 Exif, little-endian, IFD0 with Orientation = 6 (turn 90° clockwise to view).
        let tiff: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let exif: [UInt8] = [0xFF, 0xE1, 0, UInt8(payload.count + 2)] + payload
        try write(Array(plain[0..<2]) + exif + Array(plain[2...]), to: path("in/turned.jpg"))
        try write(plain, to: path("in/plain.JPEG"))
        try write(try bytes(sample("fashion-0.png")), to: path("in/fashion.png"))

        let single = try encode([path("in/turned.jpg"), "-o", path("turned.aec")])
        XCTAssertEqual(single.status, 0, single.stderr)
        let header = try AECFile(bytes: try bytes(path("turned.aec")), maxPixels: 1 << 20)
        XCTAssertEqual([header.width, header.height], [24, 40], "upright: width and height exchanged")

        let folder = try encode([path("in"), "-o", path("out")])
        XCTAssertEqual(folder.status, 0, folder.stderr)
        XCTAssertTrue(folder.stderr.contains("3 files done"), folder.stderr)
        XCTAssertEqual(tree(path("out")), ["fashion.aec", "plain.aec", "turned.aec"])

        let piped = try encode(["-", "-o", "-"], stdin: Data(plain))
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(Array(piped.stdout.prefix(2)), Array("AE".utf8))
    }

    /// `-metadata none|icc|all` (cwebp's flag): the ICC profile and text notes of a PNG or JPEG are stored
    /// and written back into the decoded PNG; none by default.
    func testMetadataIsKeptWhenAskedAndWrittenBackOnDecoding() throws {
        let image = TestImages.make(width: 30, height: 20, channels: 3)
        try write(try PNG.encode(image, metadata: SyntheticMetadata.sample), to: path("tagged.png"))
        // A JPEG with its profile in one APP2 segment and a comment.
        let jpeg = try JPEG.encode(image, quality: 90, optimizeHuffman: false)
        let profile = SyntheticMetadata.profile(size: 300)
        let app2 = Array("ICC_PROFILE".utf8) + [0, 1, 1] + profile
        let comment = Array("shot on a test".utf8)
        try write(Array(jpeg[0..<2]) + [0xFF, 0xE2, UInt8((app2.count + 2) >> 8), UInt8((app2.count + 2) & 0xFF)] + app2
                  + [0xFF, 0xFE, 0, UInt8(comment.count + 2)] + comment + Array(jpeg[2...]), to: path("tagged.jpg"))

        let expected: [(String, ImageMetadata, ImageMetadata)] = [
            ("none", ImageMetadata(), ImageMetadata()),
            ("icc", ImageMetadata(iccProfile: SyntheticMetadata.sample.iccProfile), ImageMetadata(iccProfile: profile)),
            ("all", SyntheticMetadata.sample, ImageMetadata(iccProfile: profile, texts: [.init(keyword: "Comment", text: "shot on a test")])),
        ]
        for (selection, fromPNG, fromJPEG) in expected {
            for (input, kept) in [("tagged.png", fromPNG), ("tagged.jpg", fromJPEG)] {
                let name = "\(selection)-\(input.replacingOccurrences(of: ".", with: "-"))"
                let run = try encode([path(input), "-o", path(name + ".aec"), "-metadata", selection, "-v"])
                XCTAssertEqual(run.status, 0, run.stderr)
                XCTAssertEqual(try AECFile(bytes: try bytes(path(name + ".aec")), maxPixels: 1 << 20).metadata, kept, name)
                XCTAssertEqual(run.stderr.contains("metadata kept:"), !kept.isEmpty, run.stderr)
                let back = try decode([path(name + ".aec"), "-o", path(name + ".png")])
                XCTAssertEqual(back.status, 0, back.stderr)
                let png = try bytes(path(name + ".png"))
                XCTAssertEqual(PNGMetadata.read(from: png), kept, name)
                XCTAssertEqual(try PNG.decode(png).width, 30)
                let info = try decode(["--info", path(name + ".aec")])
                XCTAssertTrue(String(decoding: info.stdout, as: UTF8.self).contains(kept.iccProfile == nil ? "metadata:   none" : "ICC profile (\(kept.iccProfile!.count) bytes)"),
                              String(decoding: info.stdout, as: UTF8.self))
            }
        }
        // None is the default: the same bytes as without the flag; --metadata is the same option.
        XCTAssertEqual(try encode([path("tagged.png"), "-o", path("default.aec")]).status, 0)
        XCTAssertEqual(try bytes(path("default.aec")), try bytes(path("none-tagged-png.aec")))
        XCTAssertEqual(try encode([path("tagged.png"), "-o", path("long.aec"), "--metadata", "all"]).status, 0)
        XCTAssertEqual(try bytes(path("long.aec")), try bytes(path("all-tagged-png.aec")))
        let wrong = try encode([path("tagged.png"), "-o", path("wrong.aec"), "-metadata", "exif"])
        XCTAssertEqual(wrong.status, 64, wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("none"), wrong.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("wrong.aec")))
    }

    /// An image larger than one tile is coded whole (format version 5) when that reconstructs it better, as
    /// on this smooth gradient; `--tiles` forces 28×28 tiles (version 3); both decode to the image's size.
    func testImagesAreCodedWholeUnlessTilesAreAskedFor() throws {
        let input = sample("gradient-rgb-61x45.png")
        XCTAssertEqual(try encode([input, "-o", path("whole.aec")]).status, 0)
        XCTAssertEqual(try encode([input, "-o", path("tiles.aec"), "--tiles"]).status, 0)
        XCTAssertEqual(try AECFile(bytes: bytes(path("whole.aec")), maxPixels: 1 << 20).formatVersion, 5)
        XCTAssertEqual(try AECFile(bytes: bytes(path("tiles.aec")), maxPixels: 1 << 20).formatVersion, 3)
        XCTAssertTrue(try decode(["--info", path("whole.aec")]).stdoutText.contains("format:     aec version 5 (whole image)"))
        for name in ["whole", "tiles"] {
            XCTAssertEqual(try decode([path(name + ".aec"), "-o", path(name + ".png")]).status, 0)
            let image = try PNG.read(contentsOf: path(name + ".png"))
            XCTAssertEqual([image.width, image.height], [61, 45], name)
        }
        // A 28×28 image is one tile: version 3 either way.
        XCTAssertEqual(try encode([sample("fashion-0.png"), "-o", path("one.aec")]).status, 0)
        XCTAssertEqual(try AECFile(bytes: bytes(path("one.aec")), maxPixels: 1 << 20).formatVersion, 3)
    }

    func testSeveralInputsGoIntoOneFolder() throws {
        let run = try encode([sample("fashion-3.png"), sample("fashion-4.png"), "-o", path("many")])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(tree(path("many")), ["fashion-3.aec", "fashion-4.aec"])
        // Two inputs that would write the same output: the second fails, the first is done.
        try write(try bytes(sample("fashion-5.png")), to: path("x/fashion-3.png"))
        let clash = try encode([sample("fashion-3.png"), path("x/fashion-3.png"), "-o", path("clash")])
        assertFails(clash, naming: path("x/fashion-3.png"), cause: "would write", output: nil)
        XCTAssertEqual(tree(path("clash")), ["fashion-3.aec"])
    }

    func testMultithreadedFlagOfCwebpIsAccepted() throws {
        let run = try encode([sample("fashion-0.png"), "-o", path("mt.aec"), "-mt"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let plain = try encode([sample("fashion-0.png"), "-o", path("plain.aec")])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertEqual(try bytes(path("mt.aec")), try bytes(path("plain.aec")))
    }

    /// One binary for every CPU: the portable kernels (forced with AEC_KERNELS=portable, as on a CPU without
    /// AVX2 + FMA) and the AVX2 ones (AEC_KERNELS=avx2, as on a CPU without AVX-512) give the same `.aec`
    /// bytes and the same decoded PNG as the kernels chosen for this CPU, with the shipped default model
    /// (whose widths use every kernel).
    func testPortableKernelsGiveTheSameBytes() throws {
        let sets = [("best", [String: String]()), ("portable", ["AEC_KERNELS": "portable"]), ("avx2", ["AEC_KERNELS": "avx2"])]
        for (name, environment) in sets {
            let run = try CodecTools.run("aec-encode", [sample("gradient-rgb-61x45.png"), sample("fashion-3.png"),
                                                        "-o", path(name)], environment: environment)
            XCTAssertEqual(run.status, 0, run.stderr)
            let back = try CodecTools.run("aec-decode", [path(name), "-o", path(name + "-png")], environment: environment)
            XCTAssertEqual(back.status, 0, back.stderr)
            let version = try CodecTools.run("aec-encode", ["--version"], environment: environment)
            XCTAssertTrue(String(decoding: version.stdout, as: UTF8.self).contains(name == "portable" ? "engine: portable" : "engine: "),
                          String(decoding: version.stdout, as: UTF8.self))
        }
        for other in ["portable", "avx2"] {
            for file in ["gradient-rgb-61x45.aec", "fashion-3.aec"] {
                XCTAssertEqual(try bytes(path("best/" + file)), try bytes(path(other + "/" + file)), "\(file), \(other)")
            }
            for file in ["gradient-rgb-61x45.png", "fashion-3.png"] {
                XCTAssertEqual(try bytes(path("best-png/" + file)), try bytes(path(other + "-png/" + file)), "\(file), \(other)")
            }
        }
    }

    func testOutputIsTheSameForAnyNumberOfJobs() throws {
        for i in 0..<6 { try write(try bytes(sample("fashion-\(i).png")), to: path("in/f\(i).png")) }
        try write(try bytes(sample("gradient-rgb-61x45.png")), to: path("in/g.png"))
        try write(try bytes(sample("ramp-rgba-30x30.png")), to: path("in/r.png"))
        XCTAssertEqual(try encode([path("in"), "-o", path("j1"), "--jobs", "1"]).status, 0)
        XCTAssertEqual(try encode([path("in"), "-o", path("j2"), "--jobs", "2"]).status, 0)
        XCTAssertEqual(tree(path("j1")).count, 8)
        for name in tree(path("j1")) {
            XCTAssertEqual(try bytes(path("j1/" + name)), try bytes(path("j2/" + name)), name)
        }
        // A single file uses the jobs for its tiles: same bytes too.
        XCTAssertEqual(try encode([sample("mosaic-280x280.png"), "-o", path("m1.aec"), "--jobs", "1"]).status, 0)
        XCTAssertEqual(try encode([sample("mosaic-280x280.png"), "-o", path("m2.aec"), "--jobs", "2"]).status, 0)
        XCTAssertEqual(try bytes(path("m1.aec")), try bytes(path("m2.aec")))
    }

    // MARK: Pipes, info, verbosity

    func testPipesCarryTheSameBytesAsFiles() throws {
        let png = try Data(contentsOf: URL(fileURLWithPath: sample("gradient-rgb-61x45.png")))
        let piped = try encode(["-", "-o", "-"], stdin: png)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(try encode([sample("gradient-rgb-61x45.png"), "-o", path("g.aec")]).status, 0)
        XCTAssertEqual([UInt8](piped.stdout), try bytes(path("g.aec")), "stdout carries only the .aec bytes")

        let back = try decode(["-", "-o", "-", "--quiet"], stdin: piped.stdout)
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertEqual(back.stderr, "")
        let image = try PNG.decode([UInt8](back.stdout))
        XCTAssertEqual([image.width, image.height, image.channels], [61, 45, 3])
        // stdin into a named file.
        XCTAssertEqual(try decode(["-", "-o", path("g.png")], stdin: piped.stdout).status, 0)
        XCTAssertEqual(try PNG.read(contentsOf: path("g.png")).width, 61)
    }

    func testInfoPrintsTheHeader() throws {
        let coded = path("r.aec")
        XCTAssertEqual(try encode([sample("ramp-rgba-30x30.png"), "-o", coded, "--bits", "4", "--full-chroma", "--tiles"]).status, 0)
        let run = try decode(["--info", coded])
        XCTAssertEqual(run.status, 0, run.stderr)
        let text = run.stdoutText
        let fingerprint = String(format: "%06x", try CodecModel.load(from: model).fingerprint)
        for expected in ["file:       \(coded)", "format:     aec version 3", "size:       30×30 (900 pixels)", "colour:     YCbCr 4:4:4", "bits:       4",
                         "model:      \(fingerprint) (the --model model)", "alpha:      stored losslessly",
                         "bytes:      \(try bytes(coded).count) (header ", "bits/pixel: "] {
            XCTAssertTrue(text.contains(expected), "'\(expected)' in:\n\(text)")
        }
        // Without --model: no shipped model has the tiny model's fingerprint, and --info says so.
        let plain = try CodecTools.run("aec-decode", ["--info", coded, "-"], stdin: nil)
        XCTAssertEqual(plain.status, 64, "'-' with another input is bad usage")
        let unshipped = try CodecTools.run("aec-decode", ["--info", coded])
        XCTAssertEqual(unshipped.status, 0, unshipped.stderr)
        XCTAssertTrue(unshipped.stdoutText.contains("not a shipped model"), unshipped.stdoutText)
    }

    func testQualityPicksTheLaddersModelAndBits() throws {
        // -q 0…100 as in cwebp: each rung's qualities pick it (its lowest and highest are tried).
        for rung in QualityLadder.range {
            let qualities = QualityLadder.qualities(ofRung: rung)
            XCTAssertEqual(QualityLadder.rung(forQuality: qualities.lowerBound), rung)
            XCTAssertEqual(QualityLadder.rung(forQuality: qualities.upperBound), rung)
        }
        XCTAssertEqual(QualityLadder.qualities(ofRung: 1).lowerBound, 0)
        XCTAssertEqual(QualityLadder.qualities(ofRung: QualityLadder.levels.count).upperBound, 100)
        for quality in [1, QualityLadder.defaultRung, QualityLadder.levels.count] {
            let level = try XCTUnwrap(QualityLadder.level(quality))
            let coded = path("q\(quality).aec")
            let q = QualityLadder.qualities(ofRung: quality).upperBound
            let run = try CodecTools.run("aec-encode", [sample("fashion-3.png"), "-o", coded, quality == 1 ? "-q" : "--quality", "\(q)"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let file = try AECFile(bytes: try bytes(coded), maxPixels: 1 << 20)
            XCTAssertEqual(file.bits, level.bits, "quality \(quality)")
            XCTAssertEqual(file.modelFingerprint, try ShippedModels.named(level.model).fingerprint, "quality \(quality)")
            // The shipped model is found from the file alone.
            XCTAssertEqual(try CodecTools.run("aec-decode", [coded, "-o", path("q\(quality).png")]).status, 0)
        }
        // Files of different shipped models in one run: each finds its own.
        let qualities = [1, QualityLadder.defaultRung, QualityLadder.levels.count]
        XCTAssertNotEqual(Set(qualities.map { QualityLadder.level($0)!.model }).count, 1, "the ladder should span models")
        let mixed = try CodecTools.run("aec-decode", qualities.map { path("q\($0).aec") } + ["-o", path("mixed")])
        XCTAssertEqual(mixed.status, 0, mixed.stderr)
        for quality in qualities {
            XCTAssertEqual(try bytes(path("mixed/q\(quality).png")), try bytes(path("q\(quality).png")), "quality \(quality)")
        }
        // The default quality is the default: the same bytes as no option at all.
        XCTAssertEqual(try CodecTools.run("aec-encode", [sample("fashion-3.png"), "-o", path("plain.aec")]).status, 0)
        XCTAssertEqual(try bytes(path("plain.aec")), try bytes(path("q\(QualityLadder.defaultRung).aec")))
    }

    /// Without --model or --bits each image is coded by whichever of the rung's shipped models suits it
    /// (`CodecChoice`): the Fashion-MNIST images by the default model, a photograph by the photo model;
    /// -v says which, and aec-decode finds each file's model alone.
    func testEachImageGetsTheShippedModelThatSuitsIt() throws {
        let inputs = (0..<8).map { sample("fashion-\($0).png") } + [sample("photo-cat-160x120.png")]
        let run = try CodecTools.run("aec-encode", inputs + ["-o", path("auto"), "-v"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let fashion = try ShippedModels.named(ShippedModels.defaultName).fingerprint
        let photo = try ShippedModels.named(QualityLadder.photoModelName).fingerprint
        for k in 0..<8 {
            XCTAssertEqual(try AECFile(bytes: try bytes(path("auto/fashion-\(k).aec")), maxPixels: 1 << 20).modelFingerprint, fashion,
                           "fashion-\(k)")
        }
        let cat = try AECFile(bytes: try bytes(path("auto/photo-cat-160x120.aec")), maxPixels: 1 << 20)
        XCTAssertEqual(cat.modelFingerprint, photo)
        XCTAssertEqual(cat.bits, QualityLadder.photoLevels[QualityLadder.defaultRung - 1].bits)
        XCTAssertTrue(run.stderr.contains("model photo at \(cat.bits) bits (chosen among default 6, photo \(cat.bits))"), run.stderr)
        let decoded = try CodecTools.run("aec-decode", [path("auto"), "-o", path("auto-png")])
        XCTAssertEqual(decoded.status, 0, decoded.stderr)
        // An explicit --bits means the default model, with no choice.
        let fixed = try CodecTools.run("aec-encode", [sample("photo-cat-160x120.png"), "-o", path("fixed.aec"), "--bits", "6"])
        XCTAssertEqual(fixed.status, 0, fixed.stderr)
        XCTAssertEqual(try AECFile(bytes: try bytes(path("fixed.aec")), maxPixels: 1 << 20).modelFingerprint, fashion)
    }

    /// One large file shows how much of it is done (bands), with the time left; here as plain lines, every
    /// band (AEC_PROGRESS_INTERVAL=0), since stderr is not a terminal.
    func testProgressWithinASingleFile() throws {
        try PNG.write(TestImages.make(width: 1000, height: 600, channels: 3), to: path("big.png"))
        let run = try CodecTools.run("aec-encode", [path("big.png"), "-o", path("big.aec"), "--model", model],
                                     environment: ["AEC_PROGRESS_INTERVAL": "0"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.errorLines.filter { $0.contains("% of \(path("big.png"))") }
        XCTAssertGreaterThanOrEqual(lines.count, 3, run.stderr)
        XCTAssertTrue(lines.contains { $0.contains(" left") }, run.stderr)
        let decoded = try CodecTools.run("aec-decode", [path("big.aec"), "-o", path("big-back.png"), "--model", model],
                                         environment: ["AEC_PROGRESS_INTERVAL": "0"])
        XCTAssertEqual(decoded.status, 0, decoded.stderr)
        XCTAssertTrue(decoded.stderr.contains("% of \(path("big.aec"))"), decoded.stderr)
        let quiet = try CodecTools.run("aec-encode", [path("big.png"), "-o", path("q.aec"), "--model", model, "--quiet"],
                                       environment: ["AEC_PROGRESS_INTERVAL": "0"])
        XCTAssertEqual(quiet.stderr, "")
    }

    func testVerboseReportsPSNRAndQuietPrintsNothing() throws {
        let run = try encode(["-v", sample("fashion-6.png"), sample("ramp-rgba-30x30.png"), "-o", path("v")])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr.components(separatedBy: "PSNR").count - 1, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("28×28 gray"), run.stderr)
        XCTAssertTrue(run.stderr.contains("30×30 RGBA"), run.stderr)
        XCTAssertTrue(run.stderr.contains("bits/pixel"), run.stderr)
        let quiet = try encode(["--quiet", sample("fashion-6.png"), "-o", path("q.aec")])
        XCTAssertEqual(quiet.status, 0)
        XCTAssertEqual(quiet.stderr, "")
        XCTAssertEqual(quiet.stdout.count, 0, "nothing on stdout without -o -")
    }

    // MARK: No overwriting

    func testExistingOutputsAreKeptWithoutForce() throws {
        try write([1, 2, 3], to: path("out/fashion-0.aec"))
        let run = try encode([sample("fashion-0.png"), sample("fashion-1.png"), "-o", path("out")])
        assertFails(run, naming: path("out/fashion-0.aec"), cause: "exists (use --force)", output: nil)
        XCTAssertEqual(try bytes(path("out/fashion-0.aec")), [1, 2, 3], "left alone")
        XCTAssertTrue(exists(path("out/fashion-1.aec")), "the other file is done")
        XCTAssertTrue(run.stderr.contains("1 file done, 1 failed"), run.stderr)

        let forced = try encode([sample("fashion-0.png"), "-o", path("out/fashion-0.aec"), "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(Array(try bytes(path("out/fashion-0.aec")).prefix(2)), Array("AE".utf8))
        XCTAssertEqual(leftovers(), [])
    }

    // MARK: Bad input

    func testBadPNGsAreOneLineErrors() throws {
        let png = try bytes(sample("fashion-0.png"))
        var flipped = png
        flipped[40] ^= 0x10  // inside IDAT: its CRC no longer matches
        var zeroWidth = png
        zeroWidth.replaceSubrange(16..<20, with: [0, 0, 0, 0])
        let crc = CRC32.checksum(zeroWidth[12..<29])
        zeroWidth.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        let cases: [(String, [UInt8], String)] = [
            ("text.png", Array("hello, world".utf8), "not a PNG"),
            ("empty.png", [], "empty"),
            ("truncated.png", Array(png.prefix(60)), "PNG"),
            ("flipped.png", flipped, "PNG"),
            ("zero.png", zeroWidth, "PNG"),
        ]
        for (name, data, cause) in cases {
            try write(data, to: path(name))
            let output = path(name + ".aec")
            assertFails(try encode([path(name), "-o", output]), naming: path(name), cause: cause, output: output)
        }
        let tooLarge = try encode([sample("fashion-0.png"), "-o", path("big.aec"), "--max-pixels", "100"])
        assertFails(tooLarge, naming: sample("fashion-0.png"), cause: "100", output: path("big.aec"))
    }

    func testBadAECFilesAreOneLineErrors() throws {
        let (_, good) = try validAEC()
        var flipped = good
        flipped[good.count / 2] ^= 0x04
        var version = good
        version[2] = 9
        let cases: [(String, [UInt8], String)] = [
            ("truncated.aec", Array(good.prefix(good.count - 3)), "checksum"),  // no length field: damage
            ("flipped.aec", flipped, "checksum"),
            ("version.aec", version, "version byte 0x09"),
            ("empty.aec", [], "empty"),
            ("png.aec", try bytes(sample("fashion-0.png")), "not an .aec file"),
        ]
        for (name, data, cause) in cases {
            try write(data, to: path(name))
            let output = path(name + ".png")
            assertFails(try decode([path(name), "-o", output]), tool: "aec-decode", naming: path(name), cause: cause, output: output)
            // --info reports the same error.
            let info = try decode(["--info", path(name)])
            XCTAssertEqual(info.status, 1)
            XCTAssertEqual(info.errorLines.count, 1, info.stderr)
        }
        let tooLarge = try decode([path("ok.aec"), "-o", path("big.png"), "--max-pixels", "100"])
        assertFails(tooLarge, tool: "aec-decode", naming: path("ok.aec"), cause: "too large", output: path("big.png"))
    }

    func testWrongOrMissingModelIsNamed() throws {
        let (coded, bytes) = try validAEC()
        let other = try TinyModels.path(seed: 2)
        let wrong = try CodecTools.run("aec-decode", [coded, "-o", path("w.png"), "--model", other])
        assertFails(wrong, tool: "aec-decode", naming: coded, cause: "made with model", output: path("w.png"))
        XCTAssertTrue(wrong.stderr.contains("(pass the right one with --model)"), "the tool adds the flag: \(wrong.stderr)")
        // Without --model: no shipped model has the tiny model's fingerprint; the message names it.
        let fingerprint = String(format: "%06x", UInt32(bytes[3]) | UInt32(bytes[4]) << 8 | UInt32(bytes[5]) << 16)
        let unshipped = try CodecTools.run("aec-decode", [coded, "-o", path("u.png")])
        assertFails(unshipped, tool: "aec-decode", naming: coded, cause: fingerprint, output: path("u.png"))
        XCTAssertTrue(unshipped.stderr.contains("; pass it with --model"), "the tool adds the flag: \(unshipped.stderr)")
        // A model file that is not there.
        let missing = try CodecTools.run("aec-encode", [sample("fashion-0.png"), "-o", path("m.aec"), "--model", path("nope.aecm")])
        assertFails(missing, naming: path("nope.aecm"), cause: "no such file", output: path("m.aec"))
        // A sound file whose 6-bit tables are damaged: named before any image is read; other depths work.
        var file = try CodecModel.load(from: other).file
        var payload = try XCTUnwrap(file.section("ENTR")).payload
        var offset = 1
        while try EntropyModel.extent(of: payload[offset...]).bits != 6 { offset += try EntropyModel.extent(of: payload[offset...]).byteCount }
        payload[offset + 10] ^= 0x40           // the first table's first frequency: the sum is now wrong
        file.extraSections.removeAll { $0.tag == "ENTR" }
        file.extraSections.append(.init(tag: "ENTR", payload: payload))
        try file.write(to: path("damaged.aecm"))
        let damaged = try CodecTools.run("aec-encode", [sample("fashion-0.png"), "-o", path("d.aec"), "--model", path("damaged.aecm")])
        assertFails(damaged, naming: path("damaged.aecm"), cause: "bad entropy tables for 6 bits", output: path("d.aec"))
        let fiveBits = try CodecTools.run("aec-encode", [sample("fashion-0.png"), "-o", path("d5.aec"), "--model", path("damaged.aecm"), "--bits", "5"])
        XCTAssertEqual(fiveBits.status, 0, fiveBits.stderr)
    }

    func testMissingInputsAndFoldersWhereFilesAreExpected() throws {
        let missing = try encode([path("nope.png"), "-o", path("n.aec")])
        assertFails(missing, naming: path("nope.png"), cause: "No such file", output: path("n.aec"))
        // A file named with a trailing slash.
        let (coded, _) = try validAEC()
        let slash = try decode([coded + "/", "-o", path("s.png")])
        assertFails(slash, tool: "aec-decode", naming: coded + "/", cause: "Not a directory", output: path("s.png"))
        // The output is a folder with that name.
        try FileManager.default.createDirectory(atPath: path("taken.aec"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: path("dest/fashion-0.aec"), withIntermediateDirectories: true)
        let folderOutput = try encode([sample("fashion-0.png"), sample("fashion-1.png"), "-o", path("dest")])
        assertFails(folderOutput, naming: path("dest/fashion-0.aec"), cause: "is a folder", output: nil)
        XCTAssertTrue(exists(path("dest/fashion-1.aec")))
        // One missing input among good ones: one line, the others done, status 1.
        let mixed = try encode([sample("fashion-2.png"), path("gone.png"), "-o", path("mixed")])
        assertFails(mixed, naming: path("gone.png"), cause: "No such file", output: nil)
        XCTAssertEqual(tree(path("mixed")), ["fashion-2.aec"])
    }

    func testOneBadFileInAFolderDoesNotStopTheOthers() throws {
        for i in 0..<3 { try write(try bytes(sample("fashion-\(i).png")), to: path("in/f\(i).png")) }
        try write(Array("not an image".utf8), to: path("in/sub/bad.png"))
        let run = try encode([path("in"), "-o", path("out"), "--jobs", "2"])
        assertFails(run, naming: path("in/sub/bad.png"), cause: "not a PNG", output: path("out/sub/bad.aec"))
        XCTAssertEqual(tree(path("out")), ["f0.aec", "f1.aec", "f2.aec"])
    }

    func testUnwritableOutputFolder() throws {
        try write([0], to: path("file"))
        let under = try encode([sample("fashion-0.png"), sample("fashion-1.png"), "-o", path("file/sub")])
        assertFails(under, naming: path("file"), cause: "not a folder", output: nil)
        // A single output file's folder is not made: a typo in -o does not make a tree.
        let nowhere = try encode([sample("fashion-0.png"), "-o", path("missing/x.aec")])
        assertFails(nowhere, naming: path("missing/x.aec"), cause: "no such folder", output: nil)
        XCTAssertFalse(exists(path("missing")))
        let single = try encode([sample("fashion-0.png"), "-o", path("file/x.aec")])
        assertFails(single, naming: path("file/x.aec"), cause: "not a folder", output: nil)
        if geteuid() != 0 {  // root writes anywhere
            try FileManager.default.createDirectory(atPath: path("locked"), withIntermediateDirectories: true)
            chmod(path("locked"), 0o555)
            defer { chmod(path("locked"), 0o755) }
            let locked = try encode([sample("fashion-0.png"), sample("fashion-1.png"), "-o", path("locked")])
            assertFails(locked, naming: path("locked"), cause: "Permission denied", output: nil)
        }
    }

    // MARK: Bad usage

    func testBadUsageExits64() throws {
        try FileManager.default.createDirectory(atPath: path("d"), withIntermediateDirectories: true)
        try write(try bytes(sample("fashion-0.png")), to: path("d/a.png"))
        try write([0], to: path("plain-file"))
        let encodeCases: [[String]] = [
            [sample("fashion-0.png")],                                         // no -o
            [sample("fashion-0.png"), "-o", path("x.aec"), "--bits", "9"],
            [sample("fashion-0.png"), "-o", path("x.aec"), "--jobs", "0"],
            [sample("fashion-0.png"), "-o", path("x.aec"), "-v", "--quiet"],
            ["-", sample("fashion-0.png"), "-o", path("x")],                  // stdin among others
            [sample("fashion-0.png"), sample("fashion-1.png"), "-o", "-"],    // stdout for two
            [path("d"), "-o", "-"],                                            // stdout for a folder
            [sample("fashion-0.png"), sample("fashion-1.png"), "-o", path("plain-file")],
            ["-", "-o", path("d")],                                            // stdin into a folder: no name
            [sample("fashion-0.png"), "-o", path("x.aec"), "--no-such-option"],
            [sample("fashion-0.png"), "-o", path("x.webp")],                  // the name says another format
            [sample("fashion-0.png"), "-o", path("x.PNG")],
        ]
        // --quality picks a shipped model, so these run without the test's --model.
        let qualityCases: [[String]] = [
            [sample("fashion-0.png"), "-o", path("x.aec"), "--quality", "101"],
            [sample("fashion-0.png"), "-o", path("x.aec"), "-q", "-1"],
            [sample("fashion-0.png"), "-o", path("x.aec"), "-q", "80", "--bits", "4"],   // quality picks the bits
            [sample("fashion-0.png"), "-o", path("x.aec"), "--quality", "1", "--model", model], // and the model
            [sample("fashion-0.png"), "-o", path("x.aec"), "-q"],                       // -q is not --quiet
        ]
        for args in encodeCases.map({ $0 + ["--model", model] }) + qualityCases {
            let run = try CodecTools.run("aec-encode", args)
            XCTAssertEqual(run.status, 64, "\(args): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("Error:"), run.stderr)
            XCTAssertFalse(exists(path("x.aec")) || exists(path("x")) || exists(path("x.webp")) || exists(path("x.PNG")), "\(args)")
        }
        for args in [[path("a.aec")], ["--info", path("a.aec"), "-o", path("y.png")], [path("a.aec"), "-o", path("y.png"), "--jobs", "-1"],
                     [path("a.aec"), "-o", path("y.jpg")]] {
            let run = try decode(args)
            XCTAssertEqual(run.status, 64, "\(args): \(run.stderr)")
        }
        let help = try CodecTools.run("aec-encode", ["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdoutText.contains("Examples:"), help.stdoutText)
    }

    // MARK: Interruption

    func testInterruptionLeavesNoTemporaryFiles() throws {
        // Enough work to be interrupted in the middle: many files, one thread.
        let png = try bytes(sample("mosaic-280x280.png"))
        for i in 0..<40 { try write(png, to: path("in/m\(i).png")) }
        let process = try CodecTools.start("aec-encode", [path("in"), "-o", path("out"), "--jobs", "1", "--model", model])
        // Wait until the run is under way (its first outputs are there), then interrupt it.
        for _ in 0..<500 where tree(path("out")).isEmpty { usleep(10_000) }
        kill(process.processIdentifier, SIGINT)
        let run = CodecTools.finish(process)
        if run.status == 0 {
            print("note: the run finished before the signal; nothing to check")
            return
        }
        XCTAssertEqual(run.status, 130, run.stderr)
        XCTAssertTrue(run.stderr.contains("interrupted"), run.stderr)
        XCTAssertEqual(leftovers(), [], "no temporary files after an interruption")
        for name in tree(path("out")) {
            XCTAssertNoThrow(try AECFile(bytes: try bytes(path("out/" + name)), maxPixels: 1 << 20), "complete: \(name)")
        }
    }
}

extension BinaryRun {
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}
