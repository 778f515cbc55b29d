import AECBase
import AECImage

extension AECFile {
    /// The typed blocks of a version-4 file, between the header and the payload: each is type (1 byte) ·
    /// length (varint) · bytes, and a type-0 byte ends the list. Each type appears at most once, in the order
    /// of `Block.Kind`; every block's bytes are a zlib stream.
    enum Block {
        enum Kind: UInt8, CaseIterable {
            /// The alpha plane: w·h samples, row-major (as version 3's alpha block).
            case alpha = 1
            /// The ICC profile's bytes.
            case iccProfile = 2
            /// The text notes: for each, the keyword, a 0 byte, the text, a 0 byte (UTF-8).
            case texts = 3
        }

        /// The blocks for `alpha` (zlib already) and `metadata` (what of it is valid: `ImageMetadata.valid`),
        /// with the end byte; nil when there are none.
        static func serialize(alpha: [UInt8]?, metadata: ImageMetadata) -> [UInt8]? {
            var blocks: [(Kind, [UInt8])] = []
            if let alpha { blocks.append((.alpha, alpha)) }
            let metadata = metadata.valid
            if let profile = metadata.iccProfile { blocks.append((.iccProfile, Zlib.compress(profile))) }
            if !metadata.texts.isEmpty {
                var texts: [UInt8] = []
                for note in metadata.texts { texts += Array(note.keyword.utf8) + [0] + Array(note.text.utf8) + [0] }
                blocks.append((.texts, Zlib.compress(texts)))
            }
            if blocks.isEmpty { return nil }
            var out: [UInt8] = []
            for (kind, bytes) in blocks {
                out.append(kind.rawValue)
                VarInt.append(bytes.count, to: &out)
                out += bytes
            }
            out.append(0)
            return out
        }

        /// Reads the blocks up to the end byte: the alpha block as stored (zlib), the metadata inflated and
        /// checked (a valid ICC profile; keywords valid for PNG, no NUL in a text).
        /// - Throws: `CodecError.corrupt` for an unknown, repeated or out-of-order type, a truncated block,
        ///   or metadata that does not inflate (within `ImageMetadata.maxBlockBytes`) or is not valid.
        static func read(_ r: inout ByteReader) throws -> (alpha: [UInt8]?, metadata: ImageMetadata) {
            var alpha: [UInt8]? = nil
            var metadata = ImageMetadata()
            var last: UInt8 = 0
            while true {
                guard let type = r.u8() else { throw CodecError.corrupt("the block list has no end") }
                if type == 0 { return (alpha, metadata) }
                guard let kind = Kind(rawValue: type) else { throw CodecError.corrupt("unknown block type \(type)") }
                guard type > last else { throw CodecError.corrupt("block type \(type) repeated or out of order") }
                last = type
                guard let length = VarInt.read(&r), let bytes = r.bytes(length) else {
                    throw CodecError.corrupt("block type \(type) is truncated")
                }
                switch kind {
                case .alpha:
                    alpha = Array(bytes)
                case .iccProfile:
                    guard let profile = Zlib.inflate(Array(bytes), limit: ImageMetadata.maxBlockBytes),
                          ImageMetadata.isICCProfile(profile) else { throw CodecError.corrupt("bad ICC profile block") }
                    metadata.iccProfile = profile
                case .texts:
                    guard let raw = Zlib.inflate(Array(bytes), limit: ImageMetadata.maxBlockBytes),
                          let texts = parseTexts(raw) else { throw CodecError.corrupt("bad text block") }
                    metadata.texts = texts
                }
            }
        }

        /// keyword · 0 · text · 0, repeated; nil unless every keyword is valid and everything is UTF-8.
        static func parseTexts(_ raw: [UInt8]) -> [ImageMetadata.Text]? {
            let fields = raw.split(separator: 0, omittingEmptySubsequences: false)
            // Every field ends with a 0, so the split ends with an empty piece after the last one.
            guard fields.count % 2 == 1, fields.last!.isEmpty, fields.count > 1 else { return nil }
            var texts: [ImageMetadata.Text] = []
            for i in stride(from: 0, to: fields.count - 1, by: 2) {
                guard let keyword = String(validating: fields[i], as: UTF8.self),
                      let text = String(validating: fields[i + 1], as: UTF8.self),
                      ImageMetadata.isValidKeyword(keyword) else { return nil }
                texts.append(.init(keyword: keyword, text: text))
            }
            return texts
        }
    }
}
