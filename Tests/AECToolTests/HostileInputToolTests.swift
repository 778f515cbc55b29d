import AECBase
import AECCodec
import AECImage
import AECTestSupport
import Foundation
import XCTest

/// Inputs made to cost time or memory, names made to break messages, and the simplest images, through
/// the real executables (issue 13's findings, each reproduced). Each refused run's peak memory is the
/// child's own (`MeasuredRun`). Bounds are loose for a debug build on a shared machine.
final class HostileInputToolTests: XCTestCase {
    var folder: String!
    var model: String!
    /// Peak resident memory allowed for a refused input (the findings: 0.8–2.1 GB).
    let memoryBound = 100 << 20
    /// Seconds allowed for a refused input (the findings: 17.7 s, or no end on an endless input).
    let timeBound = 20.0

    override func setUpWithError() throws {
        folder = try Tools.temporaryFolder().path
        model = try TinyModels.path(seed: 1)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func path(_ name: String) -> String { Paths.join(folder, name) }

    func measured(_ tool: String, _ arguments: [String], stdin: String = "/dev/null") throws -> MeasuredRun {
        try MeasuredRun.run(try Tools.executable(tool).path, arguments, stdinPath: stdin, timeout: timeBound + 10)
    }

    /// Refused quickly, with little memory, one error line mentioning `cause`, and no output.
    func assertRefusedCheaply(_ run: MeasuredRun, tool: String, cause: String, output: String? = nil, line: UInt = #line) {
        XCTAssertFalse(run.timedOut, "killed after \(timeBound + 10) s", line: line)
        XCTAssertEqual(run.status, 1, run.stderr, line: line)
        let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("\(tool): error: ") }
        XCTAssertEqual(errors.count, 1, run.stderr, line: line)
        XCTAssertTrue(errors.first?.contains(cause) == true, "mentions '\(cause)': \(run.stderr)", line: line)
        XCTAssertGreaterThan(run.peakBytes, 0, "the peak was read", line: line)
        XCTAssertLessThan(run.peakBytes, memoryBound, "peak \(run.peakBytes >> 20) MB", line: line)
        print("\(tool) refused '\(cause)': peak \(run.peakBytes >> 20) MB, \(String(format: "%.2f", run.seconds)) s")
        XCTAssertLessThan(run.seconds, timeBound, line: line)
        if let output { XCTAssertEqual(FileSystem.kind(of: output), .missing(reason: "No such file or directory"), line: line) }
    }

    // MARK: 1. Inputs read whole before their signature was checked

    func testEndlessInputsAreRefusedFromTheirFirstBytes() throws {
        assertRefusedCheaply(try measured("aec-encode", ["-", "-o", path("a.aec"), "--model", model], stdin: "/dev/zero"),
                             tool: "aec-encode", cause: "not a PNG or JPEG file", output: path("a.aec"))
        assertRefusedCheaply(try measured("aec-encode", ["/dev/zero", "-o", path("b.aec"), "--model", model]),
                             tool: "aec-encode", cause: "not a PNG or JPEG file", output: path("b.aec"))
        assertRefusedCheaply(try measured("aec-decode", ["-", "-o", path("c.png"), "--model", model], stdin: "/dev/zero"),
                             tool: "aec-decode", cause: "not an .aec file", output: path("c.png"))
        assertRefusedCheaply(try measured("aec-decode", ["/dev/zero", "-o", path("d.png"), "--model", model]),
                             tool: "aec-decode", cause: "not an .aec file", output: path("d.png"))
    }

    func testAnInputLongerThanThePixelLimitAllowsIsRefusedWithoutReadingIt() throws {
        // A PNG signature, then endless zeros, through a pipe (a FIFO a shell writes into): refused once
        // past the limit for 1,000 pixels.
        let fifo = path("endless.fifo")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "{ printf '\\211PNG\\r\\n\\032\\n'; cat /dev/zero; } > \"$0\" 2>/dev/null", fifo]
        try writer.run()
        let run = try measured("aec-encode", ["-", "-o", path("e.aec"), "--model", model, "--max-pixels", "1000"], stdin: fifo)
        writer.waitUntilExit()  // its cat ends on SIGPIPE once the reader is gone
        assertRefusedCheaply(run, tool: "aec-encode", cause: "larger than 16.8 MB", output: path("e.aec"))
        XCTAssertTrue(run.stderr.contains("--max-pixels"), run.stderr)
        // A regular file is refused by its size, before it is read.
        try AtomicFile.write(PNG.signature + [UInt8](repeating: 0, count: 17 << 20), to: path("long.png"))
        assertRefusedCheaply(try measured("aec-encode", [path("long.png"), "-o", path("f.aec"), "--model", model, "--max-pixels", "1000"]),
                             tool: "aec-encode", cause: "larger than", output: path("f.aec"))
    }

    // MARK: 2. A thin .aec whose header claims a huge image

    /// An `.aec` file of the tiny model's fingerprint with the given size, colour mode and payload.
    func aecFile(width: Int, height: Int, colour: UInt8, payload: [UInt8]) throws -> [UInt8] {
        let fingerprint = try CodecModel(bytes: FileSystem.read(model), name: "tiny").fingerprint
        var bytes: [UInt8] = [0x41, 0x45, 0x40 | colour << 3 | 5,
                              UInt8(fingerprint & 0xFF), UInt8(fingerprint >> 8 & 0xFF), UInt8(fingerprint >> 16)]
        for value in [width - 1, height - 1] {  // unsigned LEB128 (Docs/FORMAT.md)
            var v = value
            while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            bytes.append(UInt8(v))
        }
        bytes += payload
        bytes.appendLE(CRC32.checksum(bytes))
        return bytes
    }

    func testAThinFileClaimingAHugeImageIsRefusedBeforeDecoding() throws {
        // The finding: 39 bytes claiming 1×100,000,000 RGB (2.8 G pixels once padded to tiles).
        let thin = try aecFile(width: 1, height: 100_000_000, colour: 1, payload: [UInt8](repeating: 0x5A, count: 24))
        XCTAssertEqual(thin.count, 39)
        try AtomicFile.write(thin, to: path("thin.aec"))
        assertRefusedCheaply(try measured("aec-decode", [path("thin.aec"), "-o", path("thin.png"), "--model", model]),
                             tool: "aec-decode", cause: "once padded", output: path("thin.png"))
        // Within the limits, but a payload far too short for 5000×5000 pixels' symbols.
        let short = try aecFile(width: 5000, height: 5000, colour: 0, payload: [UInt8](repeating: 0x5A, count: 24))
        try AtomicFile.write(short, to: path("short.aec"))
        assertRefusedCheaply(try measured("aec-decode", [path("short.aec"), "-o", path("short.png"), "--model", model]),
                             tool: "aec-decode", cause: "truncated", output: path("short.png"))
    }

    // MARK: 3. A small PNG claiming a huge image

    /// A PNG of IHDR (w, h, depth, colour type, interlace), one IDAT of a few stored bytes, IEND.
    static func lyingPNG(width: UInt32, height: UInt32, depth: UInt8, colourType: UInt8, interlace: UInt8) -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            let crc = CRC32.checksum(body)
            return be32(UInt32(data.count)) + body + be32(crc)
        }
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        let ihdr = be32(width) + be32(height) + [depth, colourType, 0, 0, interlace]
        let stored: [UInt8] = [0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]  // zlib: 2 zero bytes
        return PNG.signature + chunk("IHDR", ihdr) + chunk("IDAT", stored) + chunk("IEND", [])
    }

    func testASmallPNGClaimingAHugeImageIsRefusedBeforeAllocating() throws {
        let cases: [(String, UInt8, UInt8, UInt8)] = [("gray", 8, 0, 0), ("rgba16", 16, 6, 0), ("interlaced", 8, 2, 1), ("rgb", 8, 2, 0)]
        for (name, depth, colourType, interlace) in cases {
            let png = Self.lyingPNG(width: 1, height: 99_999_999, depth: depth, colourType: colourType, interlace: interlace)
            XCTAssertLessThan(png.count, 80)
            try AtomicFile.write(png, to: path("\(name).png"))
            assertRefusedCheaply(try measured("aec-encode", [path("\(name).png"), "-o", path("\(name).aec"), "--model", model]),
                                 tool: "aec-encode", cause: "truncated", output: path("\(name).aec"))
        }
    }

    // MARK: 6. The version byte

    func testVersionBytesThatNameNoVersionAreRefused() throws {
        let good = try aecFile(width: 28, height: 28, colour: 0, payload: [UInt8](repeating: 0x11, count: 30))
        for lead: UInt8 in [0x00, 0x02, 0x05, 0x3F, 0xC5] {
            var bytes = Array(good.dropLast(4))
            bytes[2] = lead
            if lead >> 6 == 3 { bytes.insert(6, at: 3) }  // bits 6–7 = 3: the version byte follows
            bytes.appendLE(CRC32.checksum(bytes))
            try AtomicFile.write(bytes, to: path("v.aec"), replacing: true)
            let run = try CodecTools.run("aec-decode", [path("v.aec"), "-o", path("v.png"), "--model", model])
            XCTAssertEqual(run.status, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains(lead >> 6 == 0 ? String(format: "version byte 0x%02X", lead) : "version 6"), run.stderr)
            XCTAssertEqual(FileSystem.kind(of: path("v.png")), .missing(reason: "No such file or directory"))
        }
    }

    // MARK: 7, 8. Arguments and messages

    func testAFileNamedLikeAnOptionIsAUsageErrorThatSuggestsDoubleDash() throws {
        let png = try FileSystem.read(Tools.packageRoot.appendingPathComponent("Samples/fashion-0.png").path)
        try AtomicFile.write(png, to: path("-dash.png"))
        let folder = URL(fileURLWithPath: self.folder)
        for tool in ["aec-encode", "aec-decode"] {
            let run = try CodecTools.run(tool, ["-dash.png", "-o", "y.out", "--model", model], in: folder)
            XCTAssertEqual(run.status, 64, run.stderr)
            XCTAssertTrue(run.stderr.contains("unknown option '-dash.png'") && run.stderr.contains("--"), run.stderr)
            XCTAssertFalse(String(decoding: run.stdout, as: UTF8.self).contains("USAGE"), "no help")
        }
        let named = try CodecTools.run("aec-encode", ["-o", "y.aec", "--model", model, "--quiet", "--", "-dash.png"], in: folder)
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssertEqual(FileSystem.kind(of: path("y.aec")), .file)
    }

    func testNamesWithControlCharactersStayOnOneLine() throws {
        let name = path("bad\nname\u{1B}[31m.png")
        try AtomicFile.write(Array("not a png".utf8), to: name)
        let run = try CodecTools.run("aec-encode", [name, "-o", path("out.aec"), "--model", model])
        XCTAssertEqual(run.status, 1)
        let lines = run.errorLines
        XCTAssertEqual(lines.filter { $0.contains("error:") }.count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("bad\\nname\\x1B[31m.png: not a PNG or JPEG file"), run.stderr)
        XCTAssertFalse(run.stderr.contains("\u{1B}"), "no escape sequence reaches the terminal")
    }

    func testASignatureDamagedByLineEndingConversionIsCalledThat() throws {
        let png = try FileSystem.read(Tools.packageRoot.appendingPathComponent("Samples/fashion-0.png").path)
        // CR LF → LF, as a text-mode transfer does (PngSuite's xcrn0g04 / xlfn0g04).
        let converted = Array(png[0..<4]) + [0x0A, 0x1A, 0x0A] + Array(png[8...])
        try AtomicFile.write(converted, to: path("crlf.png"))
        let run = try CodecTools.run("aec-encode", [path("crlf.png"), "-o", path("crlf.aec"), "--model", model])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("damaged PNG signature") && run.stderr.contains("text-mode"), run.stderr)
    }

    func testAModelFileIsNotReadAsAnImage() throws {
        let run = try CodecTools.run("aec-decode", ["--info", model])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("model file (.aecm)"), run.stderr)
    }

    // MARK: 4. No-clobber between concurrent runs

    func testConcurrentRunsNeverReplaceEachOthersFiles() throws {
        let samples = Tools.packageRoot.appendingPathComponent("Samples").path
        let pngs = FolderWalk.files(under: samples, extensions: ["png"]).files.filter { !$0.contains("mosaic") }
        let count = 300
        for i in 0..<count { try AtomicFile.write(try FileSystem.read(Paths.join(samples, pngs[i % pngs.count])), to: path("in/\(i).png"), createFolders: true) }
        // Two runs at once into one folder, with different bits so that their files differ. Whichever
        // gets to a name first makes it; the other reports "exists" and leaves it alone.
        let runs = try [5, 6].map { bits in
            try CodecTools.start("aec-encode", [path("in"), "-o", path("out"), "--model", model, "--bits", "\(bits)",
                                                "--jobs", "1", "--report", path("report-\(bits).jsonl")])
        }
        let results = runs.map(CodecTools.finish)
        for result in results { XCTAssertTrue([0, 1].contains(result.status), result.stderr) }
        // Every output was made by exactly one run, and holds that run's bits.
        var doneBy: [String: Int] = [:]
        for bits in [5, 6] {
            let text = String(decoding: try FileSystem.read(path("report-\(bits).jsonl")), as: UTF8.self)
            for line in text.split(separator: "\n") {
                let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                guard let output = record["output"] as? String, record["status"] as? String == "done" else { continue }
                XCTAssertNil(doneBy[output], "\(output) done by both runs")
                doneBy[output] = bits
            }
        }
        XCTAssertEqual(doneBy.count, count)
        if Set(doneBy.values).count == 2 { print("note: both runs made some of the files") }
        for (output, bits) in doneBy {
            XCTAssertEqual(try AECFile(bytes: FileSystem.read(output), maxPixels: 1 << 20).bits, bits, "\(output) replaced by the other run")
        }
    }

    // MARK: 9. Flat images with the shipped model

    func testFlatImagesKeepTheirColourWithTheShippedModel() throws {
        for (colour, w, h) in [([0, 0, 255], 1, 1), ([255, 255, 255], 56, 56), ([200, 30, 90], 3, 70), ([12, 12, 12], 1, 1)] as [([UInt8], Int, Int)] {
            let image = Image(width: w, height: h, channels: 3, samples: Array((0..<(w * h)).map { _ in colour }.joined()))
            try PNG.write(image, to: path("flat.png"))
            for extra in [[], ["--full-chroma"]] {
                let encode = try CodecTools.run("aec-encode", [path("flat.png"), "-o", path("flat.aec"), "--force", "--quiet"] + extra)
                XCTAssertEqual(encode.status, 0, encode.stderr)
                let decode = try CodecTools.run("aec-decode", [path("flat.aec"), "-o", path("back.png"), "--force", "--quiet"])
                XCTAssertEqual(decode.status, 0, decode.stderr)
                let back = try PNG.read(contentsOf: path("back.png"))
                // R = G = B comes back as gray: compare each pixel's samples with the gray value then.
                let worst = (0..<(w * h * 3)).map { i in
                    abs(Int(back.samples[back.channels == 1 ? i / 3 : i]) - Int(image.samples[i]))
                }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, 2, "\(colour) \(w)×\(h) \(extra): back as \(Array(back.samples.prefix(3)))")
            }
        }
    }
}
