import AECBase
import Foundation

/// The `.aecm` model file: a network's architecture and weights, plus optional extra sections (entropy
/// tables, optimizer state) that readers which do not know them skip.
///
///     offset  size  field
///     0       4     magic "AECM"
///     4       2     format version, u16 little-endian (currently 1)
///     6       2     reserved, 0
///     8       …     sections, each: tag (4 ASCII bytes), length L (u32 LE), L bytes of payload
///     end−4   4     CRC-32 (IEEE) of every byte before it, u32 LE
///
/// Sections (all integers little-endian):
///
///     "ARCH"  w1, w2, w3, codeChannels as u16 — the layout in `Architecture`
///     "PARM"  count (u32), then count float32 — the flat parameter vector, conv by conv:
///             weight [3, 3, cin, cout] (kernel row, kernel column, input channel, output channel), bias [cout]
///
/// ARCH and PARM are required, once each; any other tag is kept as an opaque `Section`.
public struct ModelFile: Sendable {
    public struct Section: Equatable, Sendable {
        public var tag: String
        public var payload: [UInt8]
        public init(tag: String, payload: [UInt8]) {
            precondition(tag.utf8.count == 4, "section tags are 4 ASCII bytes")
            self.tag = tag; self.payload = payload
        }
    }

    public static let magic: [UInt8] = Array("AECM".utf8)
    public static let version: UInt16 = 1

    public var model: Autoencoder
    /// Sections other than ARCH and PARM, in file order.
    public var extraSections: [Section]

    public init(model: Autoencoder, extraSections: [Section] = []) {
        self.model = model
        self.extraSections = extraSections
    }

    public func section(_ tag: String) -> Section? { extraSections.first { $0.tag == tag } }

    // MARK: Writing

    public func serialized() -> [UInt8] {
        var out = ModelFile.magic
        out.appendLE(ModelFile.version)
        out.appendLE(UInt16(0))
        let a = model.architecture
        var arch: [UInt8] = []
        for v in [a.w1, a.w2, a.w3, a.codeChannels] { arch.appendLE(UInt16(v)) }
        appendSection("ARCH", arch, to: &out)
        var parm: [UInt8] = []
        parm.reserveCapacity(4 + 4 * model.parameters.count)
        parm.appendLE(UInt32(model.parameters.count))
        for p in model.parameters { parm.appendLE(p.bitPattern) }
        appendSection("PARM", parm, to: &out)
        for s in extraSections { appendSection(s.tag, s.payload, to: &out) }
        out.appendLE(CRC32.checksum(out))
        return out
    }

    private func appendSection(_ tag: String, _ payload: [UInt8], to out: inout [UInt8]) {
        out += Array(tag.utf8)
        out.appendLE(UInt32(payload.count))
        out += payload
    }

    /// Writes the file atomically: to a temporary file beside `path`, then renamed over it.
    public func write(to path: String) throws {
        do {
            try AtomicFile.write(serialized(), to: path)
        } catch let error as FileSystemError {
            throw ModelFileError(file: path, reason: "cannot write: \(error.reason)")
        }
    }

    // MARK: Reading

    public init(bytes: [UInt8], name: String = "model file") throws {
        func fail(_ why: String) -> ModelFileError { ModelFileError(file: name, reason: why) }
        guard bytes.count >= 4, Array(bytes[0..<4]) == ModelFile.magic else {
            throw fail("not an aec model file (it does not start with \"AECM\")")
        }
        guard bytes.count >= 12 else { throw fail("truncated (\(bytes.count) bytes)") }
        var r = ByteReader(bytes[0..<(bytes.count - 4)])
        r.offset = 4
        let version = r.u16()!
        guard version == ModelFile.version else {
            throw fail("model format version \(version) is not supported (this aec reads version \(ModelFile.version))")
        }
        guard CRC32.checksum(bytes[0..<(bytes.count - 4)]) == ModelFile.storedCRC(bytes) else {
            throw fail("checksum mismatch: the file is damaged or truncated")
        }
        _ = r.u16()
        var architecture: Architecture?
        var parameters: [Float]?
        var extras: [Section] = []
        while !r.atEnd {
            guard let tagBytes = r.bytes(4), let length = r.u32(), let payload = r.bytes(Int(length)) else {
                throw fail("truncated section")
            }
            guard tagBytes.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                throw fail("bad section tag (bytes \(tagBytes.map { String(format: "0x%02X", $0) }.joined(separator: " ")))")
            }
            let tag = String(decoding: tagBytes, as: UTF8.self)
            var p = ByteReader(payload[...])
            switch tag {
            case "ARCH":
                guard architecture == nil else { throw fail("two ARCH sections") }
                guard payload.count == 8, let w1 = p.u16(), let w2 = p.u16(), let w3 = p.u16(), let cc = p.u16(),
                      w1 > 0, w2 > 0, w3 > 0, cc > 0 else { throw fail("bad ARCH section") }
                architecture = Architecture(w1: Int(w1), w2: Int(w2), w3: Int(w3), codeChannels: Int(cc))
            case "PARM":
                guard parameters == nil else { throw fail("two PARM sections") }
                guard let count = p.u32(), payload.count == 4 + 4 * Int(count) else { throw fail("bad PARM section") }
                parameters = (0..<Int(count)).map { _ in Float(bitPattern: p.u32()!) }
            default:
                extras.append(Section(tag: tag, payload: Array(payload)))
            }
        }
        guard let architecture, let parameters else { throw fail("missing ARCH or PARM section") }
        guard parameters.count == architecture.parameterLayout.count else {
            throw fail("\(parameters.count) parameters, but widths \(architecture) need \(architecture.parameterLayout.count)")
        }
        self.init(model: Autoencoder(architecture: architecture, parameters: parameters), extraSections: extras)
    }

    /// The CRC-32 a model file stores in its last four bytes (little-endian): that of every byte before
    /// them. `bytes` is the whole file or, at least, its last four bytes.
    public static func storedCRC(_ bytes: some Collection<UInt8>) -> UInt32 {
        var r = ByteReader(ArraySlice(bytes.suffix(4)))
        return r.u32() ?? 0
    }

    public static func load(from path: String) throws -> ModelFile {
        try ModelFile(bytes: readModelBytes(path), name: path)
    }

    /// The bytes of the model file at `path`.
    /// - Throws: `ModelFileError` ("no such file", or the system's reason).
    public static func readModelBytes(_ path: String) throws -> [UInt8] {
        do {
            return try FileSystem.read(path)
        } catch let error as FileSystemError {
            throw ModelFileError(file: path, reason: FileSystem.kind(of: path) == .missing(reason: error.reason)
                                 ? "no such file" : "cannot read the file: \(error.reason)")
        }
    }
}

/// A model file that cannot be used, and why, in one line.
public struct ModelFileError: Error, CustomStringConvertible {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}
