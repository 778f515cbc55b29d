import AECBase
import AECCodec
import AECImage
import AECTestSupport

/// The bench tests' names for the shared fixtures.
enum Fixtures {
    /// The tiny test model (`TinyModel`).
    static var tinyModel: CodecModel { TinyModel.codecModel }

    /// Uniform random samples (`SyntheticImages.random`).
    static func randomImage(width: Int, height: Int, channels: Int, seed: UInt64) -> Image {
        SyntheticImages.random(width: width, height: height, channels: channels, seed: seed)
    }

    /// A smooth image, easy for every codec (`SyntheticImages.smooth`).
    static func smoothImage(width: Int, height: Int, channels: Int) -> Image {
        SyntheticImages.smooth(width: width, height: height, channels: channels)
    }

    static func temporaryFolder() throws -> String { try TestEnvironment.temporaryFolder("aec-bench-test") }
}
