import AECBase
import AECImage
import Foundation

/// Everything one comparison run found, and the files written from it.
public struct CompareReport: Sendable {
    /// The PSNRs (dB) at which the report gives each codec's bytes.
    public static let targetPSNRs: [Double] = [22, 24, 26, 28]
    /// The curves aec is compared with by BD-rate, when measured; the last is derived (`bestWebPCurve`).
    public static let referenceCurves = ["JPEG", "JPEG (optimized Huffman)", "WebP", BenchCodec.webpForPSNRCurve,
                                         bestWebPCurve]
    /// WebP at its best: at every PSNR the fewer bytes of its two curves (`lowerEnvelope`), so that
    /// wherever one setting beats the other, the better one counts.
    public static let bestWebPCurve = "WebP (best of both)"

    public var source: String
    public var imageCount: Int
    public var available: Int
    public var selection: String
    public var skipped: [String]
    public var notes: [String]
    public var results: [SettingResult]
    public var jobs: Int
    public var commandLine: String
    public var seconds: Double
    public var examples: ExampleStrip?
    public var machine: String

    public init(set: ImageSet, results: [SettingResult], jobs: Int, commandLine: String, seconds: Double,
                examples: ExampleStrip?, notes: [String] = []) {
        source = set.source
        imageCount = set.images.count
        available = set.available
        selection = set.selection
        skipped = set.skipped
        self.notes = set.notes + notes
        self.results = results
        self.jobs = jobs
        self.commandLine = commandLine
        self.seconds = seconds
        self.examples = examples
        machine = Machine.description
    }

    /// The curves in the order their first setting was measured.
    public var curves: [String] {
        var seen: [String] = []
        for r in results where !seen.contains(r.curve) { seen.append(r.curve) }
        return seen
    }

    public func points(_ curve: String) -> [RDPoint] {
        if curve == Self.bestWebPCurve { return Self.lowerEnvelope(points("WebP"), points(BenchCodec.webpForPSNRCurve)) }
        return results.filter { $0.curve == curve }.map(\.point)
    }

    /// The better of two curves at every PSNR: at each PSNR where either has a point, the smaller of the
    /// rates the curves give there (read as `BDRate.rate(at:on:)` does: log-rate interpolated between
    /// neighbouring points; a curve counts only inside its own PSNR range). A point of one curve that lies
    /// above the other curve's line between two of its points is replaced by that line.
    static func lowerEnvelope(_ a: [RDPoint], _ b: [RDPoint]) -> [RDPoint] {
        let psnrs = Set((a + b).filter { $0.rate > 0 && $0.psnr.isFinite }.map(\.psnr)).sorted()
        return psnrs.compactMap { psnr in
            let rates = [BDRate.rate(at: psnr, on: a), BDRate.rate(at: psnr, on: b)].compactMap { $0 }
            return rates.min().map { RDPoint(rate: $0, psnr: psnr) }
        }
    }

    /// The rate–distortion points of one image on `curve`: (its bytes, its PSNR) at each setting; for the
    /// best-WebP curve, the lower envelope of the image's two WebP curves.
    public func points(_ curve: String, image: Int) -> [RDPoint] {
        if curve == Self.bestWebPCurve {
            return Self.lowerEnvelope(points("WebP", image: image), points(BenchCodec.webpForPSNRCurve, image: image))
        }
        return results.filter { $0.curve == curve }.map { RDPoint(rate: Double($0.bytes[image]), psnr: $0.psnrs[image]) }
    }

    /// BD-rate computed per image and averaged, as the field reports it for sets of photographs (each
    /// image's own curve against the reference's curve for that image): (aec curve, reference, mean
    /// percent over the images whose curves overlap, how many did).
    public var perImageBDRates: [(curve: String, reference: String, meanPercent: Double?, images: Int)] {
        bdRates.map { b in
            let values = (0..<imageCount).compactMap { i in
                BDRate.percent(reference: points(b.reference, image: i), test: points(b.curve, image: i))
            }
            return (b.curve, b.reference, values.isEmpty ? nil : values.reduce(0, +) / Double(values.count), values.count)
        }
    }

    /// The curves measured, and the derived best-WebP curve when both WebP curves were measured.
    var curvesWithDerived: [String] {
        curves + (curves.contains("WebP") && curves.contains(BenchCodec.webpForPSNRCurve) ? [Self.bestWebPCurve] : [])
    }

    /// BD-rate (%) of every aec curve against every reference curve measured: (aec curve, reference, value).
    public var bdRates: [(curve: String, reference: String, percent: Double?, range: ClosedRange<Double>?)] {
        let aecCurves = curves.filter { c in results.contains { $0.curve == c && $0.isAEC } }
        let references = Self.referenceCurves.filter(curvesWithDerived.contains)
        return aecCurves.flatMap { c in
            references.map { ref in
                (c, ref, BDRate.percent(reference: points(ref), test: points(c)), BDRate.overlap(points(ref), points(c)))
            }
        }
    }

    // MARK: CSV

    public var csv: String {
        var lines = ["curve,codec,setting,parameter,images,mean_bytes,bits_per_pixel,mean_psnr_db,identical_images,psnr_of_mean_mse_db,mean_ssim,encode_images_per_s,decode_images_per_s,jobs,encode_megapixels_per_s,decode_megapixels_per_s"]
        for r in results {
            lines.append([csvField(r.curve), r.family, r.setting, "\(r.parameter)", "\(r.images)",
                          fmt(r.meanBytes, 2), fmt(r.bitsPerPixel, 4), fmt(r.meanPSNR, 3), "\(r.identical)",
                          fmt(r.psnrOfMeanMSE, 3), fmt(r.meanSSIM, 5), fmt(r.encodeImagesPerSecond, 0),
                          fmt(r.decodeImagesPerSecond, 0), "\(jobs)", fmt(r.encodeMegapixelsPerSecond, 3),
                          fmt(r.decodeMegapixelsPerSecond, 3)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    // MARK: Markdown

    public var markdown: String {
        var md = "# aec-bench: aec against JPEG and WebP\n\n"
        md += "- Images: \(imageCount) of \(available) from \(source); selection: \(selection).\n"
        for note in notes { md += "- Note: \(note)\n" }
        if !skipped.isEmpty {
            md += "- Skipped \(skipped.count) file(s):\n"
            for s in skipped.prefix(20) { md += "  - \(s)\n" }
            if skipped.count > 20 { md += "  - … and \(skipped.count - 20) more\n" }
        }
        md += "- Machine: \(machine); \(jobs) job(s) (images coded in parallel, one image per call).\n"
        md += "- Libraries: \(JPEG.libraryVersion); libwebp \(WebP.libraryVersion).\n"
        md += "- Command: `\(commandLine)`\n"
        md += "- Run time: \(fmt(seconds, 1)) s (loading, coding, measuring, writing).\n"
        #if DEBUG
        md += "- **Debug build**: speeds are not meaningful; build with `-c release`.\n"
        #endif
        md += "\nPSNR is the mean of per-image PSNRs (an identical image counts as 100 dB; the identical column "
        md += "counts them); \"PSNR of mean MSE\" is 10·log10(255²/mean MSE). SSIM: 11×11 Gaussian window "
        md += "(σ 1.5), valid positions only, luma for colour. Speeds: images per second with \(jobs) job(s), "
        md += "codec calls only.\n"

        md += "\n## BD-rate of aec (negative: aec needs fewer bytes for the same PSNR)\n\n"
        let bd = bdRates
        if bd.isEmpty {
            md += "No aec model was measured.\n"
        } else {
            md += "\(Self.bestWebPCurve): at each PSNR the fewer bytes of WebP's defaults and `-m 6 -segments 1 -sns 0` "
            md += "(the lower envelope of the two curves); claims of beating WebP are against it.\n\n"
            md += "BD-rate is computed on the mean curves (mean bytes, mean PSNR over the images); the last column "
            md += "computes it for each image's own curves and averages over the images whose curves overlap.\n\n"
            md += "| aec model | against | BD-rate | over PSNR | per image, averaged |\n|---|---|---:|---|---:|\n"
            let perImage = perImageBDRates
            for (b, p) in zip(bd, perImage) {
                let value = b.percent.map { fmt($0, 1, signed: true) + " %" } ?? "—"
                let range = b.range.map { "\(fmt($0.lowerBound, 2))–\(fmt($0.upperBound, 2)) dB" } ?? "no overlap"
                let mean = p.meanPercent.map { fmt($0, 1, signed: true) + " % (\(p.images) of \(imageCount))" } ?? "— (no overlap)"
                md += "| \(b.curve) | \(b.reference) | \(value) | \(range) | \(mean) |\n"
            }
        }

        md += "\n## Mean bytes needed for a mean PSNR\n\n"
        md += "Log-rate interpolated linearly between the curve's two neighbouring points; — outside its range.\n\n"
        md += "| codec | " + Self.targetPSNRs.map { "\(fmt($0, 0)) dB" }.joined(separator: " | ") + " |\n"
        md += "|---|" + String(repeating: "---:|", count: Self.targetPSNRs.count) + "\n"
        for c in curvesWithDerived {
            let cells = Self.targetPSNRs.map { t in BDRate.rate(at: t, on: points(c)).map { fmt($0, 1) } ?? "—" }
            md += "| \(c) | " + cells.joined(separator: " | ") + " |\n"
        }

        md += "\n## All settings\n\n"
        md += "| codec | setting | bytes | bpp | PSNR dB | identical | PSNR of mean MSE | SSIM | encode img/s | decode img/s | encode MP/s | decode MP/s |\n"
        md += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for r in results {
            md += "| \(r.curve) | \(r.setting) | \(fmt(r.meanBytes, 1)) | \(fmt(r.bitsPerPixel, 3)) | \(fmt(r.meanPSNR, 2)) | "
            md += "\(r.identical) | \(fmt(r.psnrOfMeanMSE, 2)) | \(fmt(r.meanSSIM, 4)) | \(fmt(r.encodeImagesPerSecond, 0)) | "
            md += "\(fmt(r.decodeImagesPerSecond, 0)) | \(fmt(r.encodeMegapixelsPerSecond, 2)) | \(fmt(r.decodeMegapixelsPerSecond, 2)) |\n"
        }

        md += "\n## Plot\n\n![PSNR against bits per pixel](rd.svg)\n"
        if let examples {
            md += "\n## Examples\n\n![examples](examples.png)\n\n"
            md += "Rows, top to bottom: \(examples.rows.joined(separator: ", ")). For each example the JPEG and WebP "
            md += "settings are those whose file is closest in size to aec's.\n\n"
            md += "| example | " + examples.rows.dropFirst().joined(separator: " | ") + " |\n"
            md += "|---|" + String(repeating: "---|", count: examples.rows.count - 1) + "\n"
            for column in examples.columns {
                let cells = column.cells.dropFirst().map { "\($0.setting): \($0.bytes ?? 0) B, \(fmt($0.psnr ?? 0, 2)) dB" }
                md += "| \(column.name) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return md
    }

    // MARK: Plot

    public var svg: String {
        let curves = self.curves.map { c in
            RDPlot.Curve(name: c, points: results.filter { $0.curve == c }.map { ($0.bitsPerPixel, $0.meanPSNR) })
        }
        // Clip the x axis where the curves have left aec's range far behind: up to the bpp at which the
        // references pass aec's best PSNR by 10 dB (all points when there is no aec).
        var xMax: Double? = nil
        let aecPSNR = results.filter(\.isAEC).map(\.meanPSNR).max()
        if let aecPSNR {
            let limit = aecPSNR + 10
            let within = results.filter { $0.meanPSNR <= limit }.map(\.bitsPerPixel)
            let first = results.filter { !$0.isAEC && $0.meanPSNR > limit }.map(\.bitsPerPixel).min()
            xMax = max(within.max() ?? 0, first ?? 0)
            if xMax == 0 { xMax = nil }
        }
        return RDPlot.svg(curves, title: "\(source.components(separatedBy: " (").first ?? source): \(imageCount) images",
                          xMax: xMax)
    }

    // MARK: Files

    /// Writes results.csv, results.md, rd.svg and (when there are examples) examples.png into `folder`.
    public func write(to folder: String) throws {
        do {
            try AtomicFile.write(Array(csv.utf8), to: Paths.join(folder, "results.csv"))
            try AtomicFile.write(Array(markdown.utf8), to: Paths.join(folder, "results.md"))
            try AtomicFile.write(Array(svg.utf8), to: Paths.join(folder, "rd.svg"))
            if let examples {
                try AtomicFile.write(PNG.encode(examples.render()), to: Paths.join(folder, "examples.png"))
            }
        } catch let error as FileSystemError {
            throw BenchError.outputNotWritable(path: folder, reason: error.reason)
        } catch {
            throw BenchError.outputNotWritable(path: folder, reason: "\(error)")
        }
    }

}

func fmt(_ value: Double, _ decimals: Int, signed: Bool = false) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    return String(format: signed ? "%+.\(decimals)f" : "%.\(decimals)f", value)
}

/// The machine, for reports: CPU model, cores, operating system.
enum Machine {
    static var description: String {
        var cpu = "unknown CPU"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            cpu = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var os = ProcessInfo.processInfo.operatingSystemVersionString
        if let release = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
           let line = release.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") }) {
            os = line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores available, \(os)"
    }
}
