import XCTest
import CZlib
import AECImage
import AECCodec
@testable import AECTraining

final class DatasetTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("aec-data-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Helpers

    /// An IDX3 file: big-endian magic, count, rows, cols, then the pixels.
    func idx(magic: UInt32 = 0x0803, count: Int, rows: Int, cols: Int, pixels: [UInt8]) -> [UInt8] {
        [UInt32(magic), UInt32(count), UInt32(rows), UInt32(cols)].flatMap { value in
            (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        } + pixels
    }

    func writeGzip(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = directory + "/" + name
        let file = try XCTUnwrap(gzopen(path, "wb"))
        let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        XCTAssertEqual(Int(written), bytes.count)
        XCTAssertEqual(gzclose(file), Z_OK)
        return path
    }

    func writePlain(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func loadError(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> DatasetError? {
        do {
            _ = try IDXImages.load(path: path)
            XCTFail("loaded a bad IDX file", file: file, line: line)
        } catch let error as DatasetError {
            XCTAssertTrue(error.description.contains(path), "names the file: \(error)", file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    // MARK: IDX

    func testLoadsGzipAndPlainIDX() throws {
        let pixels = (0..<(3 * 4 * 5)).map { UInt8($0 * 4) }
        let bytes = idx(count: 3, rows: 4, cols: 5, pixels: pixels)
        for path in [try writeGzip(bytes, "a.gz"), try writePlain(bytes, "a")] {
            let images = try IDXImages.load(path: path)
            XCTAssertEqual(images.count, 3)
            XCTAssertEqual(images.rows, 4)
            XCTAssertEqual(images.cols, 5)
            XCTAssertEqual(images.pixels, pixels)
        }
    }

    func testWrongMagic() throws {
        let path = try writeGzip(idx(magic: 0x0801, count: 1, rows: 1, cols: 1, pixels: [0]), "labels.gz")
        XCTAssertEqual(loadError(path), .notIDXImages(path: path, magic: 0x0801))
        XCTAssertEqual(loadError(path)?.description,
                       "'\(path)': not an IDX image file (magic 0x00000801, expected 0x00000803)")
    }

    func testTruncatedPixelsAndHeader() throws {
        let short = try writeGzip(idx(count: 3, rows: 2, cols: 2, pixels: [UInt8](repeating: 1, count: 10)), "short.gz")
        XCTAssertEqual(loadError(short), .truncated(path: short, expectedBytes: 28, actualBytes: 26))
        let header = try writePlain([0, 0, 8, 3, 0, 0], "header")
        XCTAssertEqual(loadError(header), .truncated(path: header, expectedBytes: 16, actualBytes: 6))
        let empty = try writePlain([], "empty")
        XCTAssertEqual(loadError(empty), .truncated(path: empty, expectedBytes: 16, actualBytes: 0))
    }

    func testTrailingDataAndZeroDimensions() throws {
        let long = try writeGzip(idx(count: 1, rows: 2, cols: 2, pixels: [1, 2, 3, 4, 5]), "long.gz")
        XCTAssertEqual(loadError(long), .trailingData(path: long, expectedBytes: 20))
        let zero = try writePlain(idx(count: 1, rows: 0, cols: 2, pixels: []), "zero")
        guard case .badHeader = loadError(zero) else { return XCTFail("zero rows accepted") }
    }

    func testHugeHeaderOnSmallFileIsTruncatedNotAnAllocation() throws {
        let path = try writeGzip(idx(count: 0x7FFF_FFFF, rows: 0x7FFF_FFFF, cols: 2, pixels: [1, 2, 3]), "huge.gz")
        XCTAssertEqual(loadError(path), .truncated(path: path, expectedBytes: 16 + 0x7FFF_FFFF * 0x7FFF_FFFF * 2,
                                                   actualBytes: 19))
    }

    func testCorruptGzip() throws {
        let path = try writeGzip(idx(count: 4, rows: 28, cols: 28, pixels: (0..<3136).map { UInt8($0 % 251) }), "c.gz")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let cut = try writePlain(Array(bytes.prefix(bytes.count / 2)), "cut.gz")
        XCTAssertEqual(loadError(cut)?.description, "'\(cut)': corrupt gzip data (unexpected end of file; it is truncated)")
        bytes[bytes.count - 6] ^= 0xFF  // CRC-32 in the gzip trailer
        let badCRC = try writePlain(bytes, "crc.gz")
        guard case .corruptGzip(_, let reason) = loadError(badCRC) else { return XCTFail("bad CRC accepted") }
        XCTAssertEqual(reason, "incorrect data check")
    }

    func testMissingFile() {
        let path = directory + "/none.gz"
        XCTAssertEqual(loadError(path), .notFound(path: path, hint: nil))
        XCTAssertEqual(loadError(path)?.description, "'\(path)' not found")
        guard case .unreadable = loadError(directory) else { return XCTFail("a directory loaded") }
    }

    // MARK: Fashion-MNIST

    func testFashionMNISTTestSplit() throws {
        guard FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory) else {
            throw XCTSkip("\(FashionMNIST.defaultDirectory) not found; apt-get install dataset-fashion-mnist")
        }
        let images = try FashionMNIST.load(.test)
        XCTAssertEqual(images.count, 10_000)
        XCTAssertEqual(images.rows, 28)
        XCTAssertEqual(images.cols, 28)
        XCTAssertGreaterThan(images.pixels.max() ?? 0, 200)
        let tiles = try IDXTiles(images, limit: 5)
        XCTAssertEqual(tiles.count, 5)
    }

    func testFashionMNISTMissingDirectoryExplains() throws {
        XCTAssertThrowsError(try FashionMNIST.load(.train, directory: directory)) { error in
            XCTAssertEqual("\(error)", "'\(directory)/train-images-idx3-ubyte.gz' not found; the directory should hold "
                           + "train-images-idx3-ubyte.gz (IDX3 images, gzip-compressed or plain)")
        }
        let hint = DatasetError.notFound(path: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz",
                                         hint: "install the Fashion-MNIST data with: apt-get install dataset-fashion-mnist")
        XCTAssertTrue(hint.description.hasSuffix("not found; install the Fashion-MNIST data with: apt-get install dataset-fashion-mnist"))
    }

    func testFashionMNISTFromAnotherDirectory() throws {
        let pixels = [UInt8](repeating: 9, count: 2 * 28 * 28)
        _ = try writeGzip(idx(count: 2, rows: 28, cols: 28, pixels: pixels), "t10k-images-idx3-ubyte.gz")
        let images = try FashionMNIST.load(.test, directory: directory + "/")
        XCTAssertEqual(images.count, 2)
    }

    // MARK: IDXTiles

    func testIDXTiles() throws {
        let pixels = (0..<(3 * 28 * 28)).map { UInt8($0 % 256) }
        let images = IDXImages(count: 3, rows: 28, cols: 28, pixels: pixels)
        let tiles = try IDXTiles(images, limit: 2)
        XCTAssertEqual(tiles.count, 2)
        XCTAssertEqual(try IDXTiles(images).count, 3)
        var out = [Float](repeating: -1, count: 28 * 28)
        out.withUnsafeMutableBufferPointer { tiles.tile(1, epoch: 7, into: $0) }
        XCTAssertEqual(out, (784..<1568).map { Float($0 % 256) / 255 })
        XCTAssertThrowsError(try IDXTiles(IDXImages(count: 1, rows: 2, cols: 2, pixels: [0, 0, 0, 0]))) { error in
            XCTAssertEqual(error as? DatasetError, .wrongTileSize(rows: 2, cols: 2))
        }
    }

    // MARK: PNGCropTiles

    /// A gray image whose sample at (x, y) is x + 3y (mod 256).
    func ramp(width: Int, height: Int) -> Image {
        Image(width: width, height: height, channels: 1,
              samples: (0..<(width * height)).map { UInt8(($0 % width + 3 * ($0 / width)) % 256) })
    }

    func tiles(_ source: PNGCropTiles, epoch: Int) -> [[Float]] {
        (0..<source.count).map { index in
            var out = [Float](repeating: -1, count: source.side * source.side)
            out.withUnsafeMutableBufferPointer { source.tile(index, epoch: epoch, into: $0) }
            return out
        }
    }

    func testPNGCropTilesAreDeterministicAndInRange() throws {
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        var colour = [UInt8]()
        for i in 0..<(90 * 60) { colour += [UInt8(i % 256), UInt8(i / 90 % 256), UInt8(i % 7 * 30)] }
        try PNG.write(Image(width: 90, height: 60, channels: 3, samples: colour), to: directory + "/b.png")
        try PNG.write(ramp(width: 10, height: 12), to: directory + "/sub/A.PNG")
        _ = try writePlain([1, 2, 3], "notes.txt")

        let source = try PNGCropTiles(directory: directory, seed: 42)
        XCTAssertEqual(source.paths, [directory + "/b.png", directory + "/sub/A.PNG"])
        XCTAssertEqual(source.count, 3 * 2 + 1)
        let first = tiles(source, epoch: 0)
        XCTAssertEqual(first, tiles(try PNGCropTiles(directory: directory, seed: 42), epoch: 0), "same seed, same crops")
        XCTAssertNotEqual(first, tiles(source, epoch: 1), "a new epoch gives new crops")
        XCTAssertNotEqual(first, tiles(try PNGCropTiles(directory: directory, seed: 43), epoch: 0))
        XCTAssertTrue(first.allSatisfy { $0.allSatisfy { (0...1).contains($0) } })

        // Every tile is a crop of one of the two gray images.
        let gray = PNGCropTiles.plane(of: try PNG.read(contentsOf: directory + "/b.png").toGray())
        let small = PNGCropTiles.padded(PNGCropTiles.plane(of: ramp(width: 10, height: 12)), side: 28)
        for tile in first + tiles(source, epoch: 5) {
            XCTAssertTrue(isCrop(tile, of: gray) || isCrop(tile, of: small))
        }

        var concurrent = [[Float]](repeating: [], count: source.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: source.count) { index in
            var out = [Float](repeating: 0, count: 28 * 28)
            out.withUnsafeMutableBufferPointer { source.tile(index, epoch: 0, into: $0) }
            lock.lock(); concurrent[index] = out; lock.unlock()
        }
        XCTAssertEqual(concurrent, first, "tiles from several threads")

        let fixed = try PNGCropTiles(directory: directory, seed: 42, cropsPerEpoch: 100)
        XCTAssertEqual(fixed.count, 100)
    }

    func testLargerCropsAreCropsOfTheImages() throws {
        var colour = [UInt8]()
        for i in 0..<(90 * 60) { colour += [UInt8(i % 256), UInt8(i / 90 % 256), UInt8(i % 7 * 30)] }
        try PNG.write(Image(width: 90, height: 60, channels: 3, samples: colour), to: directory + "/b.png")
        try PNG.write(ramp(width: 10, height: 12), to: directory + "/small.png")
        let source = try PNGCropTiles(directory: directory, seed: 5, side: 40)
        XCTAssertEqual(source.side, 40)
        XCTAssertEqual(source.count, 2 * 1 + 1, "(90/40)·(60/40) crops of the large image, 1 of the small one")
        let gray = PNGCropTiles.plane(of: try PNG.read(contentsOf: directory + "/b.png").toGray())
        let small = PNGCropTiles.padded(PNGCropTiles.plane(of: ramp(width: 10, height: 12)), side: 40)
        XCTAssertEqual(small.width, 40)
        XCTAssertEqual(small.height, 40)
        for tile in tiles(source, epoch: 0) + tiles(source, epoch: 1) {
            XCTAssertEqual(tile.count, 40 * 40)
            XCTAssertTrue(isCrop(tile, of: gray, side: 40) || isCrop(tile, of: small, side: 40))
        }
    }

    func testChromaCropsComeFromTheHalfResolutionChromaPlanes() throws {
        var colour = [UInt8]()
        for i in 0..<(120 * 90) { colour += [UInt8(i % 256), UInt8(i / 120 % 256), UInt8(i % 7 * 30)] }
        let image = Image(width: 120, height: 90, channels: 3, samples: colour)
        try PNG.write(image, to: directory + "/c.png")
        try PNG.write(ramp(width: 60, height: 60), to: directory + "/gray.png")
        let plain = try PNGCropTiles(directory: directory, seed: 2)
        let source = try PNGCropTiles(directory: directory, seed: 2, chroma: true)
        // Gray of c: 4·3 crops; Cb and Cr (60×45): 2·1 each; gray.png: 2·2 (no chroma).
        XCTAssertEqual(plain.count, 12 + 4)
        XCTAssertEqual(source.count, 12 + 2 + 2 + 4)
        let (_, cb, cr) = ColorTransform.ycbcrPlanes(of: image)
        let planes = [PNGCropTiles.plane(of: image.toGray()), cb.halved(), cr.halved(), PNGCropTiles.plane(of: ramp(width: 60, height: 60))]
        var seen = Set<Int>()
        for tile in tiles(source, epoch: 0) + tiles(source, epoch: 1) + tiles(source, epoch: 2) {
            let from = planes.indices.filter { isCrop(tile, of: planes[$0]) }
            XCTAssertFalse(from.isEmpty, "a crop of no plane")
            seen.formUnion(from)
        }
        XCTAssertEqual(seen, [0, 1, 2, 3], "crops of every plane")
    }

    func testSmallImageIsEdgePadded() throws {
        try PNG.write(ramp(width: 10, height: 12), to: directory + "/small.png")
        let source = try PNGCropTiles(directory: directory)
        XCTAssertEqual(source.count, 1)
        let tile = tiles(source, epoch: 3)[0]
        for y in 0..<28 {
            for x in 0..<28 {
                XCTAssertEqual(tile[y * 28 + x], Float((min(x, 9) + 3 * min(y, 11)) % 256) / 255, "(\(x), \(y))")
            }
        }
    }

    func testPNGCropTilesErrors() throws {
        XCTAssertThrowsError(try PNGCropTiles(directory: directory)) { error in
            XCTAssertEqual("\(error)", "no PNG files found in '\(directory)'")
        }
        XCTAssertThrowsError(try PNGCropTiles(directory: directory + "/missing")) { error in
            XCTAssertEqual(error as? DatasetError, .notFound(path: directory + "/missing", hint: nil))
        }
        let bad = try writePlain(Array("GIF89a".utf8), "bad.png")
        XCTAssertThrowsError(try PNGCropTiles(directory: directory)) { error in
            XCTAssertEqual("\(error)", "'\(bad)': not a PNG file (starts with 0x47 0x49 0x46 0x38)")
        }
        XCTAssertThrowsError(try PNGCropTiles(directory: bad)) { error in
            XCTAssertEqual("\(error)", "cannot read '\(bad)': Not a directory")
        }
    }

    /// Whether `tile` (side × side) is a crop of `plane` somewhere.
    private func isCrop(_ tile: [Float], of plane: Plane, side: Int = 28) -> Bool {
        for y0 in 0...(plane.height - side) {
            for x0 in 0...(plane.width - side) where tile[0] == plane[x0, y0] {
                let same = (0..<(side * side)).allSatisfy { (i: Int) -> Bool in tile[i] == plane[x0 + i % side, y0 + i / side] }
                if same { return true }
            }
        }
        return false
    }
}
