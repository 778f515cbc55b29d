import AECBase
import AECImage
import AECNet
import AECTraining
import Foundation

/// One image of the comparison, as every codec receives it: 1 channel (gray) or 3 (RGB).
public struct BenchImage: Sendable {
    public var name: String
    public var image: Image
    public init(name: String, image: Image) {
        self.name = name
        self.image = image
    }
}

/// The images to compare on, with what was done to them on the way in.
public struct ImageSet: Sendable {
    /// What they are, for the report ("Fashion-MNIST test set", "PNGs under photos/").
    public var source: String
    public var images: [BenchImage]
    /// Images in the source before `--limit` / `--sample`.
    public var available: Int
    /// How the selection was made ("all", "the first 100", "100 chosen at random with seed 1").
    public var selection: String
    /// One line per file that could not be used.
    public var skipped: [String] = []
    /// Conversions applied (alpha dropped, R = G = B turned gray), with counts.
    public var notes: [String] = []
}

/// Why the comparison could not run. `description` is one line.
public enum BenchError: Error, CustomStringConvertible, Equatable {
    case notFound(String)
    case noImages(String)
    case outputNotWritable(path: String, reason: String)
    case codecFailed(codec: String, image: String, reason: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .notFound(let path): return "'\(path)' not found"
        case .noImages(let what): return what
        case let .outputNotWritable(path, reason): return "cannot write to '\(path)': \(reason)"
        case let .codecFailed(codec, image, reason): return "\(codec) failed on \(image): \(reason)"
        case .invalid(let why): return why
        }
    }
}

/// Which images of a source to use.
public enum ImageSelection: Sendable, Equatable {
    case all
    case first(Int)
    case sample(Int, seed: UInt64)

    /// The chosen indices of `count` items, ascending. A sample is a seeded partial Fisher–Yates shuffle: the
    /// same count, size and seed always choose the same images.
    public func indices(count: Int) -> [Int] {
        switch self {
        case .all: return Array(0..<count)
        case .first(let n): return Array(0..<min(max(0, n), count))
        case let .sample(n, seed):
            let k = min(max(0, n), count)
            var order = Array(0..<count)
            var rng = SplitMix64(seed: seed)
            for i in 0..<k { order.swapAt(i, i + rng.next(below: count - i)) }
            return order[0..<k].sorted()
        }
    }

    var phrase: String {
        switch self {
        case .all: return "all"
        case .first(let n): return "the first \(n)"
        case let .sample(n, seed): return "\(n) chosen at random (seed \(seed))"
        }
    }
}

public enum BenchInput {
    /// WebP cannot code a side longer than this; larger images are skipped.
    public static let maxSide = 16383

    /// Fashion-MNIST images (28×28 gray) of one split.
    /// - Throws: `DatasetError` (its message says how to install the data when it is missing).
    public static func fashionMNIST(_ split: FashionMNIST.Split, directory: String = FashionMNIST.defaultDirectory,
                                    selection: ImageSelection = .all) throws -> ImageSet {
        let idx = try FashionMNIST.load(split, directory: directory)
        let size = idx.rows * idx.cols
        let name = split == .test ? "test" : "train"
        let chosen = selection.indices(count: idx.count)
        let images = chosen.map { i in
            BenchImage(name: "\(name)[\(i)]",
                       image: Image(width: idx.cols, height: idx.rows, channels: 1,
                                    samples: Array(idx.pixels[(i * size)..<((i + 1) * size)])))
        }
        return ImageSet(source: "Fashion-MNIST \(name) set (\(directory))", images: images, available: idx.count,
                        selection: selection.phrase)
    }

    /// The PNG and JPEG files under `path` (.png, .jpg, .jpeg in any case; found by `FolderWalk`'s rule:
    /// recursive, hidden entries skipped, sorted), or `path` itself when it is a file.
    /// - Throws: `BenchError.notFound`, `.noImages` when there is no such file.
    public static func imageFiles(under path: String) throws -> [String] {
        switch FileSystem.kind(of: path) {
        case .missing: throw BenchError.notFound(path)
        case .file, .other: return [path]
        case .folder: break
        }
        let listing = FolderWalk.files(under: path, extensions: ["png", "jpg", "jpeg"])
        if let unreadable = listing.unreadable.first { throw BenchError.noImages("cannot list '\(unreadable.path)'") }
        guard !listing.files.isEmpty else { throw BenchError.noImages("no PNG or JPEG files found in '\(path)'") }
        return listing.files.map { Paths.join(path, $0) }
    }


    /// The selected PNGs and JPEGs under `path`, decoded (a JPEG turned upright by its Exif orientation, as
    /// aec-encode does) and normalized (`normalize`). Files that cannot be decoded, or are too large, are
    /// listed in `skipped`. (A JPEG input has been through a lossy codec already: the comparison then
    /// measures how well each codec keeps JPEG's output.)
    /// - Throws: `BenchError.notFound`, `.noImages` (no such file, or none could be read).
    public static func folder(_ path: String, selection: ImageSelection = .all, jobs: Int = Parallel.coreCount) throws -> ImageSet {
        let files = try imageFiles(under: path)
        let chosen = selection.indices(count: files.count).map { files[$0] }
        var decoded = [Result<Image, Error>?](repeating: nil, count: chosen.count)
        decoded.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(chosen.count, threads: jobs) { _, i in
                out[i] = Result { try ImageInput.decode(ImageInput.readBytes(chosen[i])) }
            }
        }
        var set = ImageSet(source: "PNG and JPEG files under \(path)", images: [], available: files.count, selection: selection.phrase)
        var counts: [String: Int] = [:]
        for (file, result) in zip(chosen, decoded) {
            switch result {
            case .success(let image)?:
                if image.width > maxSide || image.height > maxSide {
                    set.skipped.append("\(file): \(image.width)x\(image.height) pixels is larger than WebP allows (\(maxSide) a side)")
                    continue
                }
                let (normalized, note) = normalize(image)
                if let note { counts[note, default: 0] += 1 }
                set.images.append(BenchImage(name: file, image: normalized))
            case .failure(let error)?:
                set.skipped.append("\(file): \(error)")
            case nil:
                set.skipped.append("\(file): not read")
            }
        }
        set.notes = counts.keys.sorted().map { "\(counts[$0]!) image(s): \($0)" }
        guard !set.images.isEmpty else {
            throw BenchError.noImages("none of the \(chosen.count) PNG and JPEG files under '\(path)' could be read")
        }
        return set
    }

    /// The image as every codec gets it: alpha dropped (no codec in the comparison is measured on it), and
    /// colour whose R = G = B everywhere turned into gray (aec codes such images as gray anyway; JPEG and
    /// WebP would spend bytes on empty chroma). Returns the note that applies, if any.
    public static func normalize(_ image: Image) -> (Image, String?) {
        let c = image.channels
        let n = image.width * image.height
        var note: String? = nil
        var image = image
        if c == 2 || c == 4 {
            let keep = c - 1
            var samples = [UInt8](repeating: 0, count: n * keep)
            image.samples.withUnsafeBufferPointer { s in
                for i in 0..<n { for k in 0..<keep { samples[i * keep + k] = s[i * c + k] } }
            }
            image = Image(width: image.width, height: image.height, channels: keep, samples: samples)
            note = "alpha dropped"
        }
        if image.channels == 3 {
            let isGray = image.samples.withUnsafeBufferPointer { s -> Bool in
                for i in 0..<n where s[3 * i] != s[3 * i + 1] || s[3 * i] != s[3 * i + 2] { return false }
                return true
            }
            if isGray {
                image = Image(width: image.width, height: image.height, channels: 1,
                              samples: (0..<n).map { image.samples[3 * $0] })
                note = (note.map { $0 + ", " } ?? "") + "RGB with R = G = B coded as gray"
            }
        }
        return (image, note)
    }
}
