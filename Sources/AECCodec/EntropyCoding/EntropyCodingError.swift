/// A frequency table or an entropy-coded stream that cannot be used: the message says why, in one line.
public struct EntropyCodingError: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
