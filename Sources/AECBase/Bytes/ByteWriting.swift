import Foundation

extension Array where Element == UInt8 {
    /// Appends `value` in little-endian byte order.
    public mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends `value` in big-endian byte order (PNG chunk lengths and CRCs).
    public mutating func appendBE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}

extension Data {
    /// The bytes as an array, copied in one go (`[UInt8](data)` copies byte by byte).
    public var byteArray: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in initialized = copyBytes(to: buffer) }
    }
}
