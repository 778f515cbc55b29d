/// What an image file says about its pixels beside the pixels: the colour profile and text notes.
///
/// aec keeps these when asked (`aec-encode -metadata icc|all`): the encoder reads them from the PNG or
/// JPEG, the `.aec` file stores them, and the decoder writes them into the PNG it makes. Everything else
/// in the input (gAMA, cHRM, sRGB, pHYs and eXIf chunks, Exif and XMP in JPEG APP segments) is not kept;
/// an image's Exif orientation is applied to its pixels instead.
public struct ImageMetadata: Equatable, Sendable {
    /// One text note: a PNG tEXt/zTXt/iTXt chunk or a JPEG comment (keyword "Comment").
    public struct Text: Equatable, Sendable {
        /// 1–79 characters, as PNG requires ("Title", "Author", "Software", "XML:com.adobe.xmp", …).
        public var keyword: String
        public var text: String
        public init(keyword: String, text: String) { self.keyword = keyword; self.text = text }
    }

    /// The ICC colour profile (PNG iCCP, JPEG APP2 "ICC_PROFILE"), uncompressed, as the profile's bytes.
    public var iccProfile: [UInt8]?
    /// Text notes, in file order.
    public var texts: [Text]

    public init(iccProfile: [UInt8]? = nil, texts: [Text] = []) {
        self.iccProfile = iccProfile
        self.texts = texts
    }

    /// No profile and no text.
    public var isEmpty: Bool { iccProfile == nil && texts.isEmpty }

    /// What of this metadata a PNG can hold: the profile if it is one (`isICCProfile`), the notes whose
    /// keyword is valid (`isValidKeyword`) and whose text has no NUL.
    public var valid: ImageMetadata {
        ImageMetadata(iccProfile: iccProfile.flatMap { Self.isICCProfile($0) ? $0 : nil },
                      texts: texts.filter { Self.isValidKeyword($0.keyword) && !$0.text.unicodeScalars.contains("\0") })
    }

    /// Which metadata an encoder keeps (`-metadata`, as cwebp's option).
    public enum Selection: String, CaseIterable, Sendable {
        /// Nothing: the default, as cwebp's and cjpeg's.
        case none
        /// The ICC colour profile.
        case icc
        /// The ICC profile and the text notes.
        case all
    }

    /// What `selection` keeps of this metadata.
    public func kept(_ selection: Selection) -> ImageMetadata {
        switch selection {
        case .none: return ImageMetadata()
        case .icc: return ImageMetadata(iccProfile: iccProfile)
        case .all: return self
        }
    }

    /// The most bytes a profile or a text may inflate to when read from a file: 16 MiB (the allowance for
    /// metadata in `Image.inputByteLimit`). The largest real profiles are a few megabytes.
    public static let maxBlockBytes = 16 << 20

    /// Whether `profile` looks like an ICC profile: at least its 128-byte header and tag count, the size its
    /// header declares (bytes 0–3, big-endian), and the signature "acsp" at byte 36.
    public static func isICCProfile(_ profile: [UInt8]) -> Bool {
        guard profile.count >= 132 else { return false }
        let declared = profile[0..<4].reduce(0) { $0 << 8 | Int($1) }
        return declared == profile.count && Array(profile[36..<40]) == Array("acsp".utf8)
    }

    /// Whether `keyword` is a valid PNG keyword: 1–79 Latin-1 printable characters, no leading, trailing
    /// or double spaces.
    public static func isValidKeyword(_ keyword: String) -> Bool {
        let scalars = keyword.unicodeScalars
        guard (1...79).contains(scalars.count), scalars.first != " ", scalars.last != " ",
              !keyword.contains("  ") else { return false }
        return scalars.allSatisfy { (0x20...0x7E).contains($0.value) || (0xA1...0xFF).contains($0.value) }
    }
}
