import AECImage

/// Metadata for the tests of `-metadata`: profiles shaped like ICC profiles and text notes.
public enum SyntheticMetadata {
    /// `size` bytes shaped like an ICC profile (`ImageMetadata.isICCProfile`): the size, big-endian, in bytes
    /// 0–3, "acsp" at byte 36, a deterministic filler elsewhere.
    public static func profile(size: Int = 600) -> [UInt8] {
        var bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        bytes.replaceSubrange(0..<4, with: [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)])
        bytes.replaceSubrange(36..<40, with: Array("acsp".utf8))
        return bytes
    }

    /// A profile and three notes: Latin-1, UTF-8 beyond Latin-1, and empty.
    public static let sample = ImageMetadata(iccProfile: profile(), texts: [
        .init(keyword: "Title", text: "Ünïcode-free Latin-1 title"),
        .init(keyword: "Description", text: "A line\nand another, with UTF-8: 日本語 ✓"),
        .init(keyword: "Author", text: ""),
    ])
}
