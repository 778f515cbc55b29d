import AECCodec
import AECImage
import AECTestSupport

/// The codec tests' names for the shared fixtures.
enum TestModels {
    /// The tiny test model (`TinyModel`).
    static var tiny: CodecModel { TinyModel.codecModel }

    /// A smooth test image (`SyntheticImages.smooth`).
    static func image(width: Int, height: Int, channels: Int) -> Image {
        SyntheticImages.smooth(width: width, height: height, channels: channels)
    }
}
