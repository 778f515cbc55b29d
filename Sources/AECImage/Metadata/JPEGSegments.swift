/// The marker segments at the head of a JPEG file: APPn (Exif, ICC profiles, XMP), COM, tables — everything
/// before the first scan.
enum JPEGSegments {
    /// Calls `body` with each segment's marker (the byte after 0xFF) and payload (after its length field),
    /// in file order, from SOI up to the first scan (SOS) or EOI; stops early when `body` returns false or
    /// the segments are malformed (a file whose head cannot be walked has no readable metadata).
    static func forEach(in bytes: [UInt8], _ body: (UInt8, ArraySlice<UInt8>) -> Bool) {
        var at = 2  // after SOI
        while at + 4 <= bytes.count, bytes[at] == 0xFF {
            let marker = bytes[at + 1]
            if marker == 0xFF { at += 1; continue }         // fill byte before a marker
            if marker == 0xDA || marker == 0xD9 { return }  // start of scan, end of image
            let length = Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            guard length >= 2, at + 2 + length <= bytes.count else { return }
            if !body(marker, bytes[(at + 4)..<(at + 2 + length)]) { return }
            at += 2 + length
        }
    }
}

/// The metadata of a JPEG file that `ImageMetadata` keeps: the ICC profile, which APP2 segments carry in
/// numbered pieces ("ICC_PROFILE\0", piece number from 1, piece count, bytes), and COM comments.
public enum JPEGMetadata {
    static let iccTag = Array("ICC_PROFILE".utf8) + [0]

    /// The ICC profile and comments of a JPEG; a profile whose pieces are missing, repeated or
    /// inconsistent, or that is not a profile (`ImageMetadata.isICCProfile`), is left out.
    public static func read(from bytes: [UInt8]) -> ImageMetadata {
        var pieces: [Int: ArraySlice<UInt8>] = [:]
        var pieceCount = 0, consistent = true, total = 0
        var texts: [ImageMetadata.Text] = []
        JPEGSegments.forEach(in: bytes) { marker, payload in
            if marker == 0xE2, payload.count >= 14, payload.starts(with: iccTag) {
                let number = Int(payload[payload.startIndex + 12]), count = Int(payload[payload.startIndex + 13])
                if count == 0 || number == 0 || number > count || (pieceCount != 0 && count != pieceCount)
                    || pieces[number] != nil { consistent = false }
                pieceCount = count
                pieces[number] = payload.dropFirst(14)
                total += payload.count - 14
                if total > ImageMetadata.maxBlockBytes { consistent = false }
            } else if marker == 0xFE, texts.count < maxComments {
                let text = PNGMetadata.text(utf8OrLatin1: Array(payload))
                if !text.unicodeScalars.contains("\0") { texts.append(.init(keyword: "Comment", text: text)) }
            }
            return consistent
        }
        var profile: [UInt8]? = nil
        if consistent && pieceCount > 0 && pieces.count == pieceCount {
            let joined = (1...pieceCount).flatMap { Array(pieces[$0]!) }
            if ImageMetadata.isICCProfile(joined) { profile = joined }
        }
        return ImageMetadata(iccProfile: profile, texts: texts)
    }

    /// A JPEG may have many COM segments; more than this many are not kept.
    static let maxComments = 256
}
