import AECBase
import AECImage
import AECNet

/// The `.aec` container: a small header, an optional lossless alpha block, the entropy-coded payload and
/// a CRC-32. Byte by byte in Docs/FORMAT.md.
///
///     "AE" (2) · version − 1 (bits 6–7) | flags (bits 0–5) (1) · model fingerprint (3, LE)
///     · width − 1 (varint) · height − 1 (varint) · [alpha length (varint) · alpha (zlib)]
///     · payload … · CRC-32 of all before (4, LE)
///
/// That is the header of format versions 2 and 3 (version 3 adds a flag per tile in the payload: flat
/// tiles, `FlatTiles`). Version 4 is version 3 with metadata (an ICC profile, text notes): bits 6–7 = 3 say
/// that the version number follows as a byte of its own, and flag bit 5 announces a list of typed blocks
/// (alpha, ICC profile, text) instead of the alpha block:
///
///     "AE" · 0b11 | flags · version (1) · fingerprint (3) · width − 1 · height − 1
///     · [blocks: (type (1) · length (varint) · bytes)… · 0] · payload … · CRC-32
///
/// This code writes version 3, or 4 when there is metadata to keep. It also reads version 1, whose header
/// had one byte more: "AE" · 0x01 · fingerprint (3) · flags (1) · width − 1 · height − 1 · … (the same
/// fields otherwise).
public struct AECFile: Equatable, Sendable {
    public enum ColourMode: UInt8, Sendable, CustomStringConvertible {
        case gray = 0
        case ycbcr444 = 1
        case ycbcr420 = 2
        public var description: String {
            switch self {
            case .gray: return "gray"
            case .ycbcr444: return "YCbCr 4:4:4"
            case .ycbcr420: return "YCbCr 4:2:0"
            }
        }
    }

    public static let magic: [UInt8] = Array("AE".utf8)
    /// The format version this code writes for an image without metadata.
    public static let version = 3
    /// The format version this code writes for an image with metadata (`metadata` not empty).
    public static let metadataVersion = 4
    /// The format version of images coded whole (`Codec.encodeWholePlanes`): version 4's header and blocks,
    /// a payload of whole-plane codes.
    public static let wholeImageVersion = 5
    /// The format versions this code reads.
    public static let readableVersions = 1...5
    /// Bytes of a version-2 or -3 file with a 1×1 image and an empty payload: the least a valid file can have.
    public static let minimumSize = 2 + 1 + 3 + 1 + 1 + 4

    /// The format version of the file this was read from (`version` for one made here); the version
    /// `serialized()` writes (2 or 3: the same header; 4 whenever `metadata` is not empty).
    public internal(set) var formatVersion = AECFile.version
    /// Low 24 bits of the CRC-32 stored at the end of the model file that made it (`CodecModel.fingerprint`).
    public var modelFingerprint: UInt32
    public var bits: Int
    public var colour: ColourMode
    public var width: Int
    public var height: Int
    /// The alpha plane compressed with zlib, when the image had a non-opaque alpha channel.
    public var alpha: [UInt8]?
    /// The colour profile and text notes kept from the input (`-metadata`); empty unless asked for.
    public var metadata = ImageMetadata()
    public var payload: [UInt8]

    public init(modelFingerprint: UInt32, bits: Int, colour: ColourMode, width: Int, height: Int,
                alpha: [UInt8]?, payload: [UInt8]) {
        self.modelFingerprint = modelFingerprint; self.bits = bits; self.colour = colour
        self.width = width; self.height = height; self.alpha = alpha; self.payload = payload
    }

    /// Header bytes (everything but the alpha block or the blocks, the payload and the CRC).
    public var headerSize: Int {
        (formatVersion == 1 || formatVersion >= 4 ? 7 : 6) + VarInt.size(width - 1) + VarInt.size(height - 1)
    }

    /// The version `serialized()` writes: 4 when there is metadata (valid for a PNG: `ImageMetadata.valid`), else `formatVersion` (a version-1 file
    /// is written as version 2: the same payload with the shorter header).
    var writtenVersion: Int {
        if formatVersion == AECFile.wholeImageVersion { return formatVersion }
        if metadata.valid.isEmpty { return max(2, min(3, formatVersion)) }
        precondition(formatVersion >= 3, "metadata needs format version 4, whose payload is version 3's")
        return AECFile.metadataVersion
    }

    /// The file's bytes, in format version `writtenVersion`.
    public func serialized() -> [UInt8] {
        var out = AECFile.magic
        let version = writtenVersion
        // flags: bits 0–2 = bits − 1, bits 3–4 = colour mode, bit 5 = alpha block (version 4: blocks) present.
        precondition(Limits.bits.contains(bits), "\(bits)-bit codes do not fit the header (Codec.encode checks this)")
        let blocks = version >= 4 ? Block.serialize(alpha: alpha, metadata: metadata) : nil
        let hasBlock = blocks != nil || (version < 4 && alpha != nil)
        let flags = UInt8(bits - 1) | colour.rawValue << 3 | (hasBlock ? 1 << 5 : 0)
        out.append(UInt8(min(version, 4) - 1) << 6 | flags)
        if version >= 4 { out.append(UInt8(version)) }
        out += [UInt8(modelFingerprint & 0xFF), UInt8(modelFingerprint >> 8 & 0xFF), UInt8(modelFingerprint >> 16 & 0xFF)]
        VarInt.append(width - 1, to: &out)
        VarInt.append(height - 1, to: &out)
        if let blocks {
            out += blocks
        } else if let alpha {
            VarInt.append(alpha.count, to: &out)
            out += alpha
        }
        out += payload
        out.appendLE(CRC32.checksum(out))
        return out
    }

    /// The format version that the bytes after the magic announce: bits 6–7 of the first plus one, or —
    /// when those are 0 — 1 for the byte 0x01 (version 1 files, where it was a version number). Bits 6–7 = 3
    /// say that the next byte is the version, 4 or more. Any other byte with bits 6–7 = 0 announces no
    /// version (nil): 0x00 and 0x02…0x3F are refused, as Docs/FORMAT.md says; so is a next byte below 4.
    static func announcedVersion(_ lead: UInt8, next: UInt8? = nil) -> Int? {
        if lead >> 6 == 3 {
            guard let next, next >= 4 else { return nil }
            return Int(next)
        }
        if lead >> 6 != 0 { return Int(lead >> 6) + 1 }
        return lead == 1 ? 1 : nil
    }

    /// Checks the first bytes of a would-be `.aec` file (at least its first 4, or the whole file): the
    /// magic, and that it is not a model file (`.aecm` files start with "AECM", the same two letters).
    /// - Throws: `CodecError.notAEC`.
    public static func checkSignature(_ start: [UInt8]) throws {
        guard start.count >= 2, Array(start[0..<2]) == AECFile.magic else {
            let shown = start.prefix(4).map { String(format: "0x%02X", $0) }.joined(separator: " ")
            throw CodecError.notAEC(start.isEmpty ? "the file is empty" : "it starts with \(shown)")
        }
        if start.starts(with: ModelFile.magic) { throw CodecError.notAEC("it is a model file (.aecm), not a coded image") }
    }

    /// The bytes of the `.aec` file at `path` (stdin when nil): the signature is checked from the first
    /// 4 bytes before the rest is read, and a file longer than an image of `maxPixels` pixels can need
    /// (`Image.inputByteLimit`) is refused without being read whole.
    /// - Throws: `CodecError.notAEC`, `FileSystemError`, `InputTooLargeError`.
    public static func readBytes(_ path: String?, maxPixels: Int) throws -> [UInt8] {
        try FileSystem.read(path, maxBytes: Image.inputByteLimit(maxPixels: maxPixels), signatureLength: 4,
                            checkSignature: checkSignature)
    }

    /// Parses and checks a whole file: magic, version, CRC, then the fields. `maxPixels` bounds the image
    /// size a header may announce, counted as the codec codes it (padded to whole tiles, see
    /// `Limits.codedPixels`).
    public init(bytes: [UInt8], maxPixels: Int) throws {
        try Self.checkSignature(Array(bytes.prefix(4)))
        guard bytes.count >= 3, bytes.count >= 3 + (bytes[2] >> 6 == 3 ? 1 : 0) else { throw CodecError.truncated }
        let next = bytes.count > 3 ? bytes[3] : nil
        guard let version = Self.announcedVersion(bytes[2], next: next) else {
            throw CodecError.unknownVersionByte(bytes[2] >> 6 == 3 ? next! : bytes[2])
        }
        guard AECFile.readableVersions.contains(version) else { throw CodecError.unsupportedVersion(version) }
        formatVersion = version
        guard bytes.count >= AECFile.minimumSize + (version == 1 || version >= 4 ? 1 : 0) else { throw CodecError.truncated }
        let body = bytes[0..<(bytes.count - 4)]
        var crcReader = ByteReader(bytes[(bytes.count - 4)...])
        guard CRC32.checksum(body) == crcReader.u32()! else { throw CodecError.checksumMismatch }

        var r = ByteReader(body)
        r.offset = 2
        var flags = r.u8()! & 0x3F  // version 2: the flags share the byte with the version
        if version >= 4 { _ = r.u8()! }  // the version byte
        let f = r.bytes(3)!.map(UInt32.init)
        modelFingerprint = f[0] | f[1] << 8 | f[2] << 16
        if version == 1 {
            flags = r.u8()!
            guard flags & 0xC0 == 0 else { throw CodecError.corrupt("reserved flag bits are set") }
        }
        bits = Int(flags & 7) + 1
        guard let colour = ColourMode(rawValue: flags >> 3 & 3) else { throw CodecError.corrupt("unknown colour mode \(flags >> 3 & 3)") }
        self.colour = colour
        guard Limits.bits.contains(bits) else { throw CodecError.corrupt("\(bits)-bit codes are not defined") }
        guard let w = VarInt.read(&r), let h = VarInt.read(&r), w < 1 << 30, h < 1 << 30 else {
            throw CodecError.corrupt("bad image size")
        }
        width = w + 1; height = h + 1
        try Limits.checkSize(width: width, height: height, maxPixels: maxPixels)
        alpha = nil
        if flags & 1 << 5 != 0 && version >= 4 {
            (alpha, metadata) = try Block.read(&r)
        } else if flags & 1 << 5 != 0 {
            guard let length = VarInt.read(&r), let block = r.bytes(length) else { throw CodecError.corrupt("bad alpha block") }
            alpha = Array(block)
        }
        payload = Array(body[r.offset...])
    }
}

/// Unsigned LEB128: seven bits per byte, low bits first, high bit set on all but the last byte.
enum VarInt {
    static func size(_ value: Int) -> Int {
        var v = value, n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }

    static func append(_ value: Int, to out: inout [UInt8]) {
        var v = UInt64(value)
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    /// nil on truncation or on more than 5 bytes (values past 2^35 are never valid here).
    static func read(_ r: inout ByteReader) -> Int? {
        var value = 0, shift = 0
        while shift < 35 {
            guard let b = r.u8() else { return nil }
            value |= Int(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
