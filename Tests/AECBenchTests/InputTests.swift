@testable import AECBench
import AECImage
import Foundation
import XCTest

/// Choosing images, reading folders of PNGs, and the bench's errors.
final class InputTests: XCTestCase {
    func testSelections() {
        XCTAssertEqual(ImageSelection.all.indices(count: 4), [0, 1, 2, 3])
        XCTAssertEqual(ImageSelection.first(3).indices(count: 10), [0, 1, 2])
        XCTAssertEqual(ImageSelection.first(30).indices(count: 10).count, 10)
        let a = ImageSelection.sample(50, seed: 7).indices(count: 10_000)
        XCTAssertEqual(a, ImageSelection.sample(50, seed: 7).indices(count: 10_000), "deterministic")
        XCTAssertEqual(a.count, 50)
        XCTAssertEqual(Set(a).count, 50, "distinct")
        XCTAssertEqual(a, a.sorted())
        XCTAssertTrue(a.allSatisfy { (0..<10_000).contains($0) })
        XCTAssertNotEqual(a, ImageSelection.sample(50, seed: 8).indices(count: 10_000))
        XCTAssertNotEqual(a, Array(0..<50), "spread over the set, not the first ones")
        XCTAssertEqual(ImageSelection.sample(20, seed: 1).indices(count: 5), [0, 1, 2, 3, 4])
    }

    func testNormalizeDropsAlphaAndTurnsEqualRGBIntoGray() {
        let rgba = Image(width: 2, height: 1, channels: 4, samples: [10, 20, 30, 255, 40, 50, 60, 0])
        let (rgb, note) = BenchInput.normalize(rgba)
        XCTAssertEqual(rgb, Image(width: 2, height: 1, channels: 3, samples: [10, 20, 30, 40, 50, 60]))
        XCTAssertEqual(note, "alpha dropped")
        let grayRGB = Image(width: 2, height: 1, channels: 3, samples: [7, 7, 7, 9, 9, 9])
        XCTAssertEqual(BenchInput.normalize(grayRGB).0, Image(width: 2, height: 1, channels: 1, samples: [7, 9]))
        let grayAlpha = Image(width: 2, height: 1, channels: 2, samples: [7, 1, 9, 2])
        XCTAssertEqual(BenchInput.normalize(grayAlpha).0, Image(width: 2, height: 1, channels: 1, samples: [7, 9]))
        let gray = Image(width: 1, height: 1, channels: 1, samples: [3])
        XCTAssertNil(BenchInput.normalize(gray).1)
    }

    func testFolderReadsPNGsRecursivelyAndSkipsBadOnes() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        try PNG.write(Fixtures.smoothImage(width: 40, height: 30, channels: 3), to: folder + "/b.png")
        try PNG.write(Fixtures.smoothImage(width: 28, height: 28, channels: 4), to: folder + "/sub/c.PNG")
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: folder + "/a.png"))
        try Data("ignored".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
        // A JPEG is read too, turned upright by its Exif orientation (6: 90° clockwise), as aec-encode does.
        let jpeg = try JPEG.encode(Fixtures.smoothImage(width: 20, height: 12, channels: 3), quality: 90, optimizeHuffman: false)
        let tiff: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]
        let exif = Array("Exif".utf8) + [0, 0] + tiff
        try Data(Array(jpeg[0..<2]) + [0xFF, 0xE1, 0, UInt8(exif.count + 2)] + exif + Array(jpeg[2...]))
            .write(to: URL(fileURLWithPath: folder + "/sub/d.jpg"))
        let set = try BenchInput.folder(folder)
        XCTAssertEqual(set.images.map { ($0.name as NSString).lastPathComponent }, ["b.png", "c.PNG", "d.jpg"])
        XCTAssertEqual(set.images.map(\.image.channels), [3, 3, 3])
        XCTAssertEqual([set.images[2].image.width, set.images[2].image.height], [12, 20], "upright")
        XCTAssertEqual(set.available, 4)
        XCTAssertEqual(set.skipped.count, 1)
        XCTAssertTrue(set.skipped[0].hasPrefix(folder + "/a.png: "), set.skipped[0])
        XCTAssertEqual(set.notes, ["1 image(s): alpha dropped"])
        XCTAssertEqual(try BenchInput.folder(folder, selection: .first(2)).images.count, 1, "a.png and b.png chosen")
    }

    func testFolderErrors() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        XCTAssertThrowsError(try BenchInput.folder(folder)) {
            XCTAssertEqual("\($0)", "no PNG or JPEG files found in '\(folder)'")
        }
        XCTAssertThrowsError(try BenchInput.folder(folder + "/missing")) {
            XCTAssertEqual("\($0)", "'\(folder)/missing' not found")
        }
        try Data().write(to: URL(fileURLWithPath: folder + "/empty.png"))
        XCTAssertThrowsError(try BenchInput.folder(folder)) {
            XCTAssertEqual("\($0)", "none of the 1 PNG and JPEG files under '\(folder)' could be read")
        }
    }

    func testMissingDatasetSaysWhereItLooked() {
        XCTAssertThrowsError(try BenchInput.fashionMNIST(.test, directory: "/nonexistent/fmnist")) {
            XCTAssertTrue("\($0)".contains("/nonexistent/fmnist/t10k-images-idx3-ubyte.gz' not found"), "\($0)")
        }
    }

    func testOutputFolderIsCreatedAndCheckedBeforeTheRun() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try CompareBenchmark.prepareOutput(folder + "/new/deeper")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/new/deeper"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/new/deeper"), [], "the probe is removed")
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/file"))
        XCTAssertThrowsError(try CompareBenchmark.prepareOutput(folder + "/file")) {
            XCTAssertEqual("\($0)", "cannot write to '\(folder)/file': Not a directory")
        }
        XCTAssertThrowsError(try CompareBenchmark.prepareOutput(folder + "/file/sub")) {
            XCTAssertTrue("\($0)".hasPrefix("cannot write to '\(folder)/file/sub': "), "\($0)")
        }
    }
}
