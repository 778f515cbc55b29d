import AECBase
import AECCodec

/// Which model decodes a file: the one given with `--model`, or the shipped model whose fingerprint the
/// file carries.
public final class ModelChoice: @unchecked Sendable {
    private let fixed: Codec?
    private let lock = Lock()
    /// Codecs of the shipped models met so far, by fingerprint.
    private var shipped: [UInt32: Codec] = [:]

    /// Always `model` (files made with another model fail with `CodecError.wrongModel`).
    public init(model: CodecModel) { fixed = Codec(model: model) }

    /// The shipped models, each parsed when the first file that names it arrives.
    public init() { fixed = nil }

    /// The `--model` model, if one was given.
    public var givenModel: CodecModel? { fixed?.model }

    /// The codec for a file made with the model of this fingerprint.
    /// - Throws: `CodecError.unknownModel` when no shipped model has it (and no `--model` was given).
    public func codec(forFingerprint fingerprint: UInt32) throws -> Codec {
        if let fixed { return fixed }
        return try lock.withLock {
            if let codec = shipped[fingerprint] { return codec }
            guard ShippedModels.folder != nil else { throw CodecError.noShippedModels(searched: ShippedModels.searchedFolders) }
            guard let model = ShippedModels.model(withFingerprint: fingerprint) else { throw CodecError.unknownModel(fingerprint) }
            let codec = Codec(model: model)
            shipped[fingerprint] = codec
            return codec
        }
    }

    /// The name of the shipped model with this fingerprint, if any.
    public func shippedName(_ fingerprint: UInt32) -> String? { ShippedModels.name(withFingerprint: fingerprint) }
}
