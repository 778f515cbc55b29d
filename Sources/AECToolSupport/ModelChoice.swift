import AECCodec

/// Which model decodes a file: the one given with `--model`, or the shipped model whose fingerprint the
/// file carries.
public final class ModelChoice: @unchecked Sendable {
    private let fixed: Codec?
    private let lock = Lock()
    private var shipped: [UInt32: Codec]?
    private var shippedNames: [UInt32: String] = [:]

    /// Always `model` (files made with another model fail with `CodecError.wrongModel`).
    public init(model: CodecModel) { fixed = Codec(model: model) }

    /// The shipped models, loaded on first use.
    public init() { fixed = nil }

    /// The `--model` model, if one was given.
    public var givenModel: CodecModel? { fixed?.model }

    /// The codec for the `.aec` file `bytes`.
    /// - Throws: `CodecError` — the file's own errors (checked here when the model is chosen by
    ///   fingerprint), or `.unknownModel` when no shipped model has the file's fingerprint.
    public func codec(for bytes: [UInt8], maxPixels: Int) throws -> Codec {
        if let fixed { return fixed }
        let fingerprint = try AECFile(bytes: bytes, maxPixels: maxPixels).modelFingerprint
        guard let codec = shippedModels()[fingerprint] else { throw CodecError.unknownModel(fingerprint) }
        return codec
    }

    /// The name of the shipped model with this fingerprint, if any.
    public func shippedName(_ fingerprint: UInt32) -> String? {
        _ = shippedModels()
        return lock.withLock { shippedNames[fingerprint] }
    }

    private func shippedModels() -> [UInt32: Codec] {
        lock.withLock {
            if let shipped { return shipped }
            var codecs: [UInt32: Codec] = [:]
            for (name, model) in ShippedModels.all() where codecs[model.fingerprint] == nil {
                codecs[model.fingerprint] = Codec(model: model)
                shippedNames[model.fingerprint] = name
            }
            shipped = codecs
            return codecs
        }
    }
}
