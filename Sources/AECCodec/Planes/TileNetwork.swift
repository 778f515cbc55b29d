import AECBase
import AECNet

/// The network run over many 28×28 tiles at once: in chunks of 16 tiles, one `ForwardPass` per thread.
/// Each tile goes through the network on its own, so the result is the same for any number of threads.
/// Decoding runs the integer decoder (`FixedPointDecoder`), the same on every CPU; encoding the integer
/// encoder when one is given (as the codec does), else the float one (as training does).
public struct TileNetwork: Sendable {
    public let network: Autoencoder
    let decoder: FixedPointDecoder?
    let encoder: FixedPointEncoder?

    /// - Parameters:
    ///   - decoder: `network`'s integer decoder; pass the model's (`CodecModel.decoder`), which is built once.
    ///     Without one, `decode` builds one per call.
    ///   - encoder: `network`'s integer encoder (`CodecModel.encoder`); without one, `encode` runs the float
    ///     encoder.
    public init(_ network: Autoencoder, decoder: FixedPointDecoder? = nil, encoder: FixedPointEncoder? = nil) {
        self.network = network
        self.decoder = decoder
        self.encoder = encoder
    }

    /// The code of every tile: [tiles × 28·28] in, [tiles × codeCount] out.
    public func encode(tiles: [Float], jobs: Int) -> [Float] {
        let tileSize = Tiling.side * Tiling.side, codeCount = network.architecture.codeCount
        let count = tiles.count / tileSize
        var codes = [Float](repeating: 0, count: count * codeCount)
        if let encoder {
            let chunk = 16, chunks = (count + chunk - 1) / chunk
            tiles.withUnsafeBufferPointer { tiles in
                codes.withUnsafeMutableBufferPointer { codes in
                    Parallel.forEach(chunks, threads: max(1, min(jobs, chunks))) { _, c in
                        let first = c * chunk
                        encoder.encode(tiles.baseAddress! + first * tileSize, n: min(chunk, count - first),
                                       height: Tiling.side, width: Tiling.side, into: codes.baseAddress! + first * codeCount)
                    }
                }
            }
            return codes
        }
        inChunks(count: count, jobs: jobs, into: &codes) { pass, first, n in
            tiles.withUnsafeBufferPointer { pass.input.update(from: $0.baseAddress! + first * tileSize, count: n * tileSize) }
            network.encode(pass, n: n)
            return (pass.code, n * codeCount, first * codeCount)
        }
        return codes
    }

    /// The reconstructed tiles from their codes: [tiles × codeCount] in, [tiles × 28·28] out.
    public func decode(codes: [Float], jobs: Int) -> [Float] {
        let tileSize = Tiling.side * Tiling.side, codeCount = network.architecture.codeCount
        let count = codes.count / codeCount, chunk = 16
        let chunks = (count + chunk - 1) / chunk
        let decoder = self.decoder ?? FixedPointDecoder(network)
        var tiles = [Float](repeating: 0, count: count * tileSize)
        codes.withUnsafeBufferPointer { codes in
            tiles.withUnsafeMutableBufferPointer { tiles in
                Parallel.forEach(chunks, threads: max(1, min(jobs, chunks))) { _, c in
                    let first = c * chunk
                    decoder.decode(codes.baseAddress! + first * codeCount, n: min(chunk, count - first),
                                   codeHeight: Architecture.codeSide, codeWidth: Architecture.codeSide,
                                   into: tiles.baseAddress! + first * tileSize)
                }
            }
        }
        return tiles
    }

    /// Runs `body` on chunks of up to 16 tiles, one ForwardPass per thread, and copies what it returns
    /// (pointer, count, destination offset) into `out`.
    private func inChunks(count: Int, jobs: Int, into out: inout [Float],
                          _ body: (ForwardPass, Int, Int) -> (UnsafeMutablePointer<Float>, Int, Int)) {
        let chunk = 16
        let chunks = (count + chunk - 1) / chunk
        let workers = max(1, min(jobs, chunks))
        let passes = (0..<workers).map { _ in ForwardPass(architecture: network.architecture, capacity: min(chunk, count)) }
        out.withUnsafeMutableBufferPointer { out in
            Parallel.forEach(chunks, threads: workers) { worker, c in
                let first = c * chunk
                let (src, n, offset) = body(passes[worker], first, min(chunk, count - first))
                (out.baseAddress! + offset).update(from: src, count: n)
            }
        }
    }
}
