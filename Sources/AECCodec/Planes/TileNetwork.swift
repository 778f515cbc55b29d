import AECBase
import AECNet

/// The network run over many 28×28 tiles at once: in chunks of 16 tiles, one `ForwardPass` per thread.
/// Each tile goes through the network on its own, so the result is the same for any number of threads.
public struct TileNetwork: Sendable {
    public let network: Autoencoder

    public init(_ network: Autoencoder) { self.network = network }

    /// The code of every tile: [tiles × 28·28] in, [tiles × codeCount] out.
    public func encode(tiles: [Float], jobs: Int) -> [Float] {
        let tileSize = Tiling.side * Tiling.side, codeCount = network.architecture.codeCount
        let count = tiles.count / tileSize
        var codes = [Float](repeating: 0, count: count * codeCount)
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
        let count = codes.count / codeCount
        var tiles = [Float](repeating: 0, count: count * tileSize)
        inChunks(count: count, jobs: jobs, into: &tiles) { pass, first, n in
            codes.withUnsafeBufferPointer { pass.decoderInput.update(from: $0.baseAddress! + first * codeCount, count: n * codeCount) }
            network.decode(pass, n: n)
            return (pass.output, n * tileSize, first * tileSize)
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
