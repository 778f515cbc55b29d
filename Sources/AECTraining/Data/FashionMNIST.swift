/// The Fashion-MNIST images (Debian package `dataset-fashion-mnist`): 60,000 training and 10,000 test images
/// of 28×28 gray pixels.
public enum FashionMNIST {
    /// Where `apt-get install dataset-fashion-mnist` puts the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    /// Which half of the data set.
    public enum Split: Sendable {
        case train, test

        /// The gzip-compressed IDX file of this split's images.
        public var fileName: String {
            switch self {
            case .train: return "train-images-idx3-ubyte.gz"
            case .test: return "t10k-images-idx3-ubyte.gz"
            }
        }
    }

    /// Loads the images of `split` from `directory` (the `.gz` file, or the same name without `.gz`).
    /// - Throws: `DatasetError`; a missing file at the default location says how to install it.
    public static func load(_ split: Split, directory: String = defaultDirectory) throws -> IDXImages {
        let base = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        let path = base + "/" + split.fileName
        do {
            return try IDXImages.load(path: path)
        } catch DatasetError.notFound {
            do {
                return try IDXImages.load(path: String(path.dropLast(3)))  // an unpacked copy will do
            } catch DatasetError.notFound {}
            let hint = base == defaultDirectory
                ? "install the Fashion-MNIST data with: apt-get install dataset-fashion-mnist"
                : "the directory should hold \(split.fileName) (IDX3 images, gzip-compressed or plain)"
            throw DatasetError.notFound(path: path, hint: hint)
        }
    }
}
