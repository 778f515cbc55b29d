import AECImage

/// A few images side by side: one row per codec (original, aec, JPEG, WebP), one column per example, the
/// JPEG and WebP settings chosen per example as those whose file is closest in size to aec's.
public struct ExampleStrip: Sendable {
    public struct Cell: Sendable {
        public var label: String  // "original", "aec default 6 bits", "JPEG q35"
        public var setting: String  // "", "6 bits", "q35"
        public var image: Image
        public var bytes: Int?
        public var psnr: Double?
    }

    /// One column: the example's name and its cells, top to bottom.
    public struct Column: Sendable {
        public var name: String
        public var cells: [Cell]
    }

    public var rows: [String]
    public var columns: [Column]

    /// Chooses `count` examples spread evenly over the set and codes each with the anchor setting (aec's
    /// default model at the default bits, or JPEG when there is no aec) and with the JPEG and WebP settings
    /// whose files are closest to the anchor's in size.
    /// - Parameters:
    ///   - codecs, results: the settings measured, in the same order.
    ///   - anchor: the index of the anchor setting.
    public static func build(images: [BenchImage], codecs: [BenchCodec], results: [SettingResult], anchor: Int,
                             count: Int) throws -> ExampleStrip? {
        guard count > 0, !images.isEmpty, codecs.indices.contains(anchor) else { return nil }
        let k = min(count, images.count)
        let picks = (0..<k).map { $0 * images.count / k }
        let anchorCurve = results[anchor].curve
        // Families to match against the anchor: the others among JPEG (standard tables) and WebP.
        let families = ["jpeg", "webp"].filter { family in
            results.contains { $0.family == family } && results[anchor].family != family
        }
        var rows = ["original", anchorCurve]
        rows += families.map { f in results.first { $0.family == f }!.curve }
        var columns: [Column] = []
        for i in picks {
            let original = images[i].image
            var cells = [Cell(label: "original", setting: "", image: original, bytes: nil, psnr: nil)]
            cells.append(try cell(codecs[anchor], original, name: images[i].name))
            let target = results[anchor].bytes[i]
            for family in families {
                let candidates = results.indices.filter { results[$0].family == family }
                let best = candidates.min { a, b in
                    (abs(results[a].bytes[i] - target), results[a].parameter) < (abs(results[b].bytes[i] - target), results[b].parameter)
                }!
                cells.append(try cell(codecs[best], original, name: images[i].name))
            }
            columns.append(Column(name: images[i].name, cells: cells))
        }
        return ExampleStrip(rows: rows, columns: columns)
    }

    private static func cell(_ codec: BenchCodec, _ image: Image, name: String) throws -> Cell {
        do {
            let bytes = try codec.encode(image)
            let decoded = try codec.decode(bytes, channels: image.channels)
            return Cell(label: "\(codec.curve) \(codec.setting)", setting: codec.setting, image: decoded, bytes: bytes.count,
                        psnr: BenchMetrics.psnr(mse: Quality.mse(image, decoded)))
        } catch {
            throw BenchError.codecFailed(codec: "\(codec.curve) \(codec.setting)", image: name, reason: "\(error)")
        }
    }

    /// The picture: cells scaled by the same factor (×4 for images up to 32 pixels a side, ×2 up to 128,
    /// ×1 up to 512, and shrunk by an integer factor beyond), nearest neighbour, `gap` white pixels between
    /// cells and around them. Gray when every cell is gray, else RGB.
    public func render(gap: Int = 4) -> Image {
        let maxSide = columns.flatMap(\.cells).map { max($0.image.width, $0.image.height) }.max() ?? 1
        let (up, down) = maxSide <= 32 ? (4, 1) : maxSide <= 128 ? (2, 1) : maxSide <= 512 ? (1, 1) : (1, (maxSide + 511) / 512)
        func scaled(_ n: Int) -> Int { max(1, (n * up + down - 1) / down) }
        let colWidths = columns.map { c in c.cells.map { scaled($0.image.width) }.max() ?? 1 }
        let rowHeights = rows.indices.map { r in columns.map { scaled($0.cells[r].image.height) }.max() ?? 1 }
        let width = colWidths.reduce(gap) { $0 + $1 + gap }
        let height = rowHeights.reduce(gap) { $0 + $1 + gap }
        let channels = columns.flatMap(\.cells).contains { $0.image.channels >= 3 } ? 3 : 1
        var samples = [UInt8](repeating: 255, count: width * height * channels)
        var y0 = gap
        for r in rows.indices {
            var x0 = gap
            for (c, column) in columns.enumerated() {
                let image = column.cells[r].image
                let w = scaled(image.width), h = scaled(image.height), ic = image.channels
                for y in 0..<h {
                    let sy = min(image.height - 1, y * down / up)
                    for x in 0..<w {
                        let sx = min(image.width - 1, x * down / up)
                        let s = (sy * image.width + sx) * ic
                        let o = ((y0 + y) * width + x0 + x) * channels
                        for k in 0..<channels { samples[o + k] = image.samples[s + (ic >= 3 ? k : 0)] }
                    }
                }
                x0 += colWidths[c] + gap
            }
            y0 += rowHeights[r] + gap
        }
        return Image(width: width, height: height, channels: channels, samples: samples)
    }
}
