@testable import AECBench
import AECCodec
import AECImage
import Foundation
import XCTest

/// The comparison end to end on a handful of images with a tiny model, and the files it writes.
final class ComparisonTests: XCTestCase {
    static func images() -> [BenchImage] {
        (0..<5).map { i in
            BenchImage(name: "image\(i)", image: i % 2 == 0
                       ? Fixtures.smoothImage(width: 28 + 3 * i, height: 28, channels: 1)
                       : Fixtures.randomImage(width: 28, height: 20 + i, channels: 1, seed: UInt64(i)))
        }
    }

    func testMeasureAgreesWithCodingEachImageByHand() throws {
        let images = Self.images()
        let codec = BenchCodec.webp(quality: 40)
        let r = try Comparison.measure(codec, on: images, jobs: 2)
        var bytes = 0, psnr = 0.0, mse = 0.0, ssim = 0.0, pixels = 0
        for image in images {
            let file = try WebP.encode(image.image, quality: 40)
            let decoded = try codec.decode(file, channels: 1)
            bytes += file.count
            pixels += image.image.width * image.image.height
            let e = Quality.mse(image.image, decoded)
            mse += e
            psnr += BenchMetrics.psnr(mse: e)
            ssim += BenchMetrics.ssim(image.image, decoded)
        }
        XCTAssertEqual(r.images, 5)
        XCTAssertEqual(r.bytes.reduce(0, +), bytes)
        XCTAssertEqual(r.meanBytes, Double(bytes) / 5, accuracy: 1e-9)
        XCTAssertEqual(r.bitsPerPixel, 8 * Double(bytes) / Double(pixels), accuracy: 1e-9)
        XCTAssertEqual(r.meanPSNR, psnr / 5, accuracy: 1e-9)
        XCTAssertEqual(r.psnrOfMeanMSE, BenchMetrics.psnr(mse: mse / 5), accuracy: 1e-9)
        XCTAssertEqual(r.meanSSIM, ssim / 5, accuracy: 1e-9)
        XCTAssertEqual(r.identical, 0)
        XCTAssertGreaterThan(r.encodeImagesPerSecond, 0)
        XCTAssertGreaterThan(r.decodeImagesPerSecond, 0)
        XCTAssertEqual(r.curve, "WebP")
        XCTAssertEqual(r.setting, "q40")
    }

    func testLosslessCasesCountAsIdenticalAt100dB() throws {
        // A constant image survives JPEG q100 exactly: identical, 100 dB.
        let flat = BenchImage(name: "flat", image: Image(width: 16, height: 16, channels: 1, samples: [UInt8](repeating: 128, count: 256)))
        let r = try Comparison.measure(.jpeg(quality: 100, optimizedHuffman: false), on: [flat, flat], jobs: 1)
        XCTAssertEqual(r.identical, 2)
        XCTAssertEqual(r.meanPSNR, 100)
        XCTAssertEqual(r.psnrOfMeanMSE, 100)
        XCTAssertEqual(r.meanSSIM, 1, accuracy: 1e-12)
    }

    func testAECSettingsCoverTheModelsBits() {
        var options = CompareOptions()
        options.models = [("tiny", Fixtures.tinyModel)]
        options.bits = [4, 6, 9]
        options.jpegQualities = [50, 10]
        options.webpQualities = [30]
        let codecs = CompareBenchmark.codecs(options)
        XCTAssertEqual(codecs.map { "\($0.curve) \($0.setting)" },
                       ["aec tiny 4 bits", "aec tiny 6 bits", "JPEG q10", "JPEG q50",
                        "JPEG (optimized Huffman) q10", "JPEG (optimized Huffman) q50", "WebP q30",
                        "WebP (-m 6 -segments 1 -sns 0) q30"])
        XCTAssertEqual(CompareBenchmark.anchor(codecs), 1, "the default 6 bits anchor the examples")
        options.bits = nil
        XCTAssertEqual(CompareBenchmark.codecs(options).filter(\.isAEC).map(\.parameter), Array(2...8))
        XCTAssertEqual(CompareOptions.defaultJPEGQualities, [1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100])
        XCTAssertEqual(CompareOptions.defaultWebPQualities.count, 21)
    }

    /// The "aec (automatic, -q)" curve: one setting per rung asked for, each image coded by the rung's
    /// shipped models as `CodecChoice` chooses, decoded with the model its file names.
    func testTheAutomaticCurveIsWhatTheChoiceMakes() throws {
        var options = CompareOptions()
        options.automaticRungs = [QualityLadder.defaultRung, QualityLadder.levels.count]
        options.jpegQualities = []
        options.webpQualities = []
        let codecs = CompareBenchmark.codecs(options)
        XCTAssertEqual(codecs.map { "\($0.curve) \($0.setting)" }, ["aec (automatic, -q) q50", "aec (automatic, -q) q100"])
        let images = Self.images()
        let r = try Comparison.measure(codecs[0], on: images, jobs: 2)
        let choice = try CodecChoice.shipped(rung: QualityLadder.defaultRung)
        for (i, image) in images.enumerated() {
            let result = try choice.encode(image.image)
            XCTAssertEqual(r.bytes[i], result.encoded.bytes.count, image.name)
            let decoded = try choice.candidates[result.chosen].codec.decode(result.encoded.bytes)
            XCTAssertEqual(r.psnrs[i], BenchMetrics.psnr(mse: Quality.mse(image.image, decoded)), accuracy: 1e-9, image.name)
        }
        XCTAssertTrue(r.isAEC)
    }

    func testAWholeRunWritesTheReport() throws {
        var options = CompareOptions()
        options.models = [("tiny", Fixtures.tinyModel)]
        options.bits = [2, 6, 8]
        options.jpegQualities = [5, 50, 95]
        options.webpQualities = [10, 50, 90]
        options.jobs = 2
        options.examples = 3
        options.commandLine = "aec-bench test"
        let set = ImageSet(source: "test images", images: Self.images(), available: 5, selection: "all")
        var lines: [String] = []
        let progress = ProgressReporter(mode: .lines) { lines.append($0) }
        let report = try CompareBenchmark.run(set, options: options, progress: progress)
        XCTAssertEqual(report.results.count, 3 + 6 + 3 + 3)
        XCTAssertEqual(lines.count, 15)
        XCTAssertTrue(lines[0].hasPrefix("[1/15] aec tiny 2 bits: "), lines[0])
        XCTAssertEqual(report.curves, ["aec tiny", "JPEG", "JPEG (optimized Huffman)", "WebP", "WebP (-m 6 -segments 1 -sns 0)"])
        XCTAssertEqual(report.bdRates.map(\.reference), ["JPEG", "JPEG (optimized Huffman)", "WebP", "WebP (-m 6 -segments 1 -sns 0)",
                                                          "WebP (best of both)"])
        // The best-of-both curve is never above either WebP curve.
        let best = report.points("WebP (best of both)")
        XCTAssertFalse(best.isEmpty)
        for curve in ["WebP", "WebP (-m 6 -segments 1 -sns 0)"] {
            for p in report.points(curve) {
                XCTAssertLessThanOrEqual(BDRate.rate(at: p.psnr, on: best)!, p.rate * (1 + 1e-12), "\(curve) \(p)")
            }
        }

        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try report.write(to: folder)
        let csv = try String(contentsOfFile: folder + "/results.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 1 + 15)
        XCTAssertTrue(csv[0].hasPrefix("curve,codec,setting,parameter,images,mean_bytes,bits_per_pixel,mean_psnr_db"))
        XCTAssertTrue(csv[4].hasPrefix("JPEG,jpeg,q5,5,5,"), String(csv[4]))
        let md = try String(contentsOfFile: folder + "/results.md", encoding: .utf8)
        for heading in ["## BD-rate", "## Mean bytes needed", "## All settings", "## Examples", "aec-bench test"] {
            XCTAssertTrue(md.contains(heading), heading)
        }
        let svg = try String(contentsOfFile: folder + "/rd.svg", encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 5, "one curve per codec setting family")
        XCTAssertTrue(svg.contains(">bits per pixel<") && svg.contains(">mean PSNR (dB)<") && svg.contains(">WebP<"))

        let strip = try PNG.read(contentsOf: folder + "/examples.png")
        // 3 examples (widths 28, 31/28, 34 → ×4), 4 rows (original, aec, JPEG, WebP), 4-pixel gaps.
        let examples = try XCTUnwrap(report.examples)
        XCTAssertEqual(examples.rows, ["original", "aec tiny", "JPEG", "WebP"])
        XCTAssertEqual(examples.columns.map(\.name), ["image0", "image1", "image3"])
        XCTAssertEqual(strip.width, 4 + (4 * 28 + 4) + (4 * 28 + 4) + (4 * 28 + 4))
        XCTAssertEqual(strip.height, 4 + 4 * (4 * 28 + 4))
        XCTAssertEqual(strip.channels, 1)
        // The top-left cell is the first original, scaled ×4 by nearest neighbour.
        let original = Self.images()[0].image
        for (x, y) in [(0, 0), (5, 3), (27, 27)] {
            XCTAssertEqual(strip.samples[(4 + 4 * y + 2) * strip.width + 4 + 4 * x + 1], original.samples[y * 28 + x])
        }
    }

    func testExamplesMatchJPEGAndWebPToTheAnchorsSize() throws {
        let images = Self.images()
        let codecs: [BenchCodec] = [.aec(model: "tiny", codec: Codec(model: Fixtures.tinyModel), bits: 6)]
            + [5, 50, 95].map { .jpeg(quality: $0, optimizedHuffman: false) } + [10, 50, 90].map { .webp(quality: $0) }
        let results = try codecs.map { try Comparison.measure($0, on: images, jobs: 1) }
        let strip = try XCTUnwrap(ExampleStrip.build(images: images, codecs: codecs, results: results, anchor: 0, count: 2))
        for (column, i) in zip(strip.columns, [0, 2]) {
            let target = results[0].bytes[i]
            for (row, family) in [(2, "jpeg"), (3, "webp")] {
                let chosen = try XCTUnwrap(column.cells[row].bytes)
                let best = results.filter { $0.family == family }.map { abs($0.bytes[i] - target) }.min()!
                XCTAssertEqual(abs(chosen - target), best, "\(family), example \(i)")
            }
        }
    }

    func testCodecFailureNamesTheImage() {
        let bad = BenchImage(name: "wide.png", image: Image(width: 16384, height: 1, channels: 1, samples: [UInt8](repeating: 0, count: 16384)))
        XCTAssertThrowsError(try Comparison.measure(.webp(quality: 50), on: [bad], jobs: 1)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("WebP q50 failed on wide.png: encoding:"), text)
        }
    }

    func testPlotTicksAreRound() {
        XCTAssertEqual(RDPlot.ticks(0, 4.3), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(RDPlot.ticks(17.2, 41.9), [15, 20, 25, 30, 35, 40, 45])
        XCTAssertEqual(RDPlot.ticks(0, 0.45), [0, 0.1, 0.2, 0.3, 0.4, 0.5].map { $0 }, accuracy: 1e-12)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }

    /// The envelope takes the lower curve at each PSNR, including where one curve's point lies above the
    /// other curve's line (a point that no measured point beats, but the line does).
    func testLowerEnvelopeTakesTheLowerCurveAtEachPSNR() {
        let a = [RDPoint(rate: 100, psnr: 20), RDPoint(rate: 200, psnr: 30)]
        let b = [RDPoint(rate: 80, psnr: 19), RDPoint(rate: 160, psnr: 29), RDPoint(rate: 400, psnr: 35)]
        let envelope = CompareReport.lowerEnvelope(a, b)
        XCTAssertEqual(envelope.map(\.psnr), [19, 20, 29, 30, 35])
        for p in envelope {
            let candidates = [BDRate.rate(at: p.psnr, on: a), BDRate.rate(at: p.psnr, on: b)].compactMap { $0 }
            XCTAssertEqual(p.rate, candidates.min()!, accuracy: 1e-9)
        }
        // At 20 dB, b's line (80 → 160 over 19 → 29 dB) is below a's point of 100.
        XCTAssertLessThan(envelope[1].rate, 100)
        // At 30 dB too: 160·(400/160)^(1/6) ≈ 186.4 against a's 200.
        XCTAssertEqual(envelope[3].rate, 160 * pow(2.5, 1.0 / 6), accuracy: 1e-9)
    }

    /// Per-image BD-rate: each image's own curve against the reference's for that image, averaged. Here the
    /// reference needs twice the bytes of aec at every PSNR on image 0 and four times on image 1: −50% and
    /// −75%, mean −62.5%.
    func testPerImageBDRateIsTheMeanOfEachImagesBDRate() {
        func result(_ curve: String, isAEC: Bool, bytes: [Int], psnrs: [Double]) -> SettingResult {
            SettingResult(curve: curve, family: curve, setting: "", parameter: 0, isAEC: isAEC, images: 2,
                          meanBytes: Double(bytes.reduce(0, +)) / 2, bitsPerPixel: 0, meanPSNR: psnrs.reduce(0, +) / 2,
                          identical: 0, psnrOfMeanMSE: 0, meanSSIM: 0, encodeImagesPerSecond: 0, decodeImagesPerSecond: 0,
                          encodeMegapixelsPerSecond: 0, decodeMegapixelsPerSecond: 0, bytes: bytes, psnrs: psnrs)
        }
        var results: [SettingResult] = []
        for (k, psnr) in [20.0, 25, 30, 35].enumerated() {
            let aecBytes = [100 << k, 300 << k]
            results.append(result("aec t", isAEC: true, bytes: aecBytes, psnrs: [psnr, psnr + 1]))
            results.append(result("WebP", isAEC: false, bytes: [aecBytes[0] * 2, aecBytes[1] * 4], psnrs: [psnr, psnr + 1]))
        }
        let image = Image(width: 2, height: 2, channels: 1, samples: [0, 1, 2, 3])
        let set = ImageSet(source: "t", images: [BenchImage(name: "a", image: image), BenchImage(name: "b", image: image)],
                           available: 2, selection: "all")
        let report = CompareReport(set: set, results: results, jobs: 1, commandLine: "", seconds: 0, examples: nil)
        let perImage = report.perImageBDRates
        XCTAssertEqual(perImage.count, 1)
        XCTAssertEqual(perImage[0].reference, "WebP")
        XCTAssertEqual(perImage[0].images, 2)
        XCTAssertEqual(perImage[0].meanPercent!, -62.5, accuracy: 1e-6)
        XCTAssertTrue(report.markdown.contains("-62.5 % (2 of 2)"), report.markdown)
    }
}
