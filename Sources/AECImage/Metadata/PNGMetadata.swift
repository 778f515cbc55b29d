import AECBase

/// The metadata of a PNG file that `ImageMetadata` keeps, read from and written into its chunks:
/// iCCP (the ICC profile), and tEXt, zTXt and iTXt (text notes).
///
/// A chunk is length (4, big-endian) · type (4) · data · CRC-32 of type and data (4). Reading is lenient,
/// as libpng's is for ancillary chunks: a chunk with a bad CRC, a bad keyword or damaged compressed data is
/// left out, and reading stops at IEND or at the first chunk that does not fit the file (the pixels were
/// decoded by libpng, which judged the file; this only looks for what to keep).
public enum PNGMetadata {
    /// The profile and text notes of a PNG (the first iCCP chunk; every valid text chunk, in order).
    public static func read(from png: [UInt8]) -> ImageMetadata {
        var metadata = ImageMetadata()
        var textBytes = 0
        forEachChunk(in: png, types: metadataChunks) { type, data in
            switch type {
            case "iCCP" where metadata.iccProfile == nil:
                metadata.iccProfile = profile(inICCP: data)
            case "tEXt", "zTXt", "iTXt":
                if let text = text(in: data, type: type), textBytes + text.text.utf8.count <= ImageMetadata.maxBlockBytes {
                    textBytes += text.text.utf8.count
                    metadata.texts.append(text)
                }
            default: break
            }
        }
        return metadata
    }

    /// `png` with chunks for `metadata` added after IHDR: an iCCP chunk named "ICC profile", then one text
    /// chunk per note — tEXt when the text is Latin-1, iTXt (UTF-8) otherwise. What a PNG cannot hold is
    /// left out (`ImageMetadata.valid`).
    /// - Precondition: `png` starts with the signature and an IHDR chunk (as `PNG.encode` makes them).
    public static func insert(_ metadata: ImageMetadata, into png: [UInt8]) -> [UInt8] {
        let metadata = metadata.valid
        if metadata.isEmpty { return png }
        let afterHeader = 8 + 12 + 13  // signature, IHDR's length · type · CRC, its 13 data bytes
        precondition(png.count > afterHeader && Array(png[12..<16]) == Array("IHDR".utf8), "not a PNG from PNG.encode")
        var chunks: [UInt8] = []
        if let profile = metadata.iccProfile {
            appendChunk("iCCP", Array("ICC profile".utf8) + [0, 0] + Zlib.compress(profile), to: &chunks)
        }
        for note in metadata.texts {
            let keyword = latin1(note.keyword)!
            if let text = latin1(note.text) {
                appendChunk("tEXt", keyword + [0] + text, to: &chunks)
            } else {
                // keyword, compression flag 0, method 0, empty language tag, empty translated keyword, UTF-8 text
                appendChunk("iTXt", keyword + [0, 0, 0, 0, 0] + Array(note.text.utf8), to: &chunks)
            }
        }
        return Array(png[0..<afterHeader]) + chunks + Array(png[afterHeader...])
    }

    // MARK: Chunks

    /// The chunks `read` looks at; only their CRCs are computed (not the image data's).
    static let metadataChunks: Set<String> = ["iCCP", "tEXt", "zTXt", "iTXt"]

    /// Calls `body` with the type and data of each chunk in `types` (every chunk when nil), from the one
    /// after the signature up to IEND; chunks with a bad CRC are skipped.
    static func forEachChunk(in png: [UInt8], types: Set<String>? = nil, _ body: (String, ArraySlice<UInt8>) -> Void) {
        var at = 8
        while png.count - at >= 12 {
            let length = png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard length <= png.count - at - 12 else { return }
            let typeBytes = png[(at + 4)..<(at + 8)]
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else { return }
            let type = String(decoding: typeBytes, as: UTF8.self)
            if type == "IEND" { return }
            if let types, !types.contains(type) { at += 12 + length; continue }
            let data = png[(at + 8)..<(at + 8 + length)]
            let stored = png[(at + 8 + length)..<(at + 12 + length)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if CRC32.checksum(png[(at + 4)..<(at + 8 + length)]) == stored { body(type, data) }
            at += 12 + length
        }
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typed = Array(type.utf8) + data
        out.appendBE(UInt32(data.count))
        out += typed
        out.appendBE(CRC32.checksum(typed))
    }

    /// iCCP: profile name (1–79 bytes) · 0 · compression method 0 · zlib stream.
    static func profile(inICCP data: ArraySlice<UInt8>) -> [UInt8]? {
        guard let nul = data.firstIndex(of: 0), nul > data.startIndex, nul + 1 < data.endIndex, data[nul + 1] == 0,
              let profile = Zlib.inflate(Array(data[(nul + 2)...]), limit: ImageMetadata.maxBlockBytes),
              ImageMetadata.isICCProfile(profile) else { return nil }
        return profile
    }

    /// tEXt: keyword · 0 · Latin-1 text. zTXt: keyword · 0 · method 0 · zlib of Latin-1 text.
    /// iTXt: keyword · 0 · compressed (0/1) · method 0 · language · 0 · translated keyword · 0 · UTF-8 text
    /// (zlib when compressed).
    static func text(in data: ArraySlice<UInt8>, type: String) -> ImageMetadata.Text? {
        guard let nul = data.firstIndex(of: 0) else { return nil }
        let keyword = String(decoding: data[data.startIndex..<nul].map { UInt16($0) }, as: UTF16.self)  // Latin-1
        guard ImageMetadata.isValidKeyword(keyword) else { return nil }
        var rest = data[(nul + 1)...]
        let text: String
        switch type {
        case "tEXt":
            text = string(latin1: rest)
        case "zTXt":
            guard rest.first == 0, let raw = Zlib.inflate(Array(rest.dropFirst()), limit: ImageMetadata.maxBlockBytes) else { return nil }
            text = string(latin1: raw[...])
        default:  // iTXt
            guard rest.count >= 2, rest.first! <= 1, rest[rest.startIndex + 1] == 0 else { return nil }
            let compressed = rest.first! == 1
            rest = rest.dropFirst(2)
            for _ in 0..<2 {  // language tag, translated keyword
                guard let end = rest.firstIndex(of: 0) else { return nil }
                rest = rest[(end + 1)...]
            }
            let raw = compressed ? Zlib.inflate(Array(rest), limit: ImageMetadata.maxBlockBytes) : Array(rest)
            guard let raw, let utf8 = String(validating: raw, as: UTF8.self) else { return nil }
            text = utf8
        }
        return text.unicodeScalars.contains("\0") ? nil : ImageMetadata.Text(keyword: keyword, text: text)
    }

    // MARK: Latin-1

    static func string(latin1 bytes: ArraySlice<UInt8>) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// The Latin-1 bytes of `string`, or nil when it has a character outside Latin-1.
    static func latin1(_ string: String) -> [UInt8]? {
        var out: [UInt8] = []
        for scalar in string.unicodeScalars {
            guard scalar.value <= 0xFF else { return nil }
            out.append(UInt8(scalar.value))
        }
        return out
    }

    /// Bytes that are valid UTF-8 as such, else read as Latin-1 (JPEG comments have no declared encoding).
    static func text(utf8OrLatin1 bytes: [UInt8]) -> String {
        String(validating: bytes, as: UTF8.self) ?? string(latin1: bytes[...])
    }
}
