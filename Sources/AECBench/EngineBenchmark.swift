import AECBase
import AECNet
import AECTraining
import Foundation

/// Timings of the engine itself (release build): our GEMM against the reference on the convolution
/// shapes, and forward / training images per second for several widths. Every speed is reported next to
/// a reference measured in the same run, because the machines this runs on are shared and noisy.
public enum EngineBenchmark {
    /// One GEMM shape as the convolutions use it: M pixels × K = 9·cin × N = cout.
    public struct GEMMShape: Sendable {
        public var name: String, m: Int, n: Int, k: Int, transA: Bool, transB: Bool
    }

    /// The shapes of a 32/32/16 model's convolutions, forward and backward, for a run of pixels.
    public static func convolutionShapes() -> [GEMMShape] {
        [
            GEMMShape(name: "fwd 28×28 conv 32→32", m: 336, n: 32, k: 288, transA: false, transB: false),
            GEMMShape(name: "fwd 14×14 conv 32→32", m: 196, n: 32, k: 288, transA: false, transB: false),
            GEMMShape(name: "fwd 7×7 conv 16→16 (×8 tiles)", m: 392, n: 16, k: 144, transA: false, transB: false),
            GEMMShape(name: "fwd 28×28 conv 1→32", m: 784, n: 32, k: 9, transA: false, transB: false),
            GEMMShape(name: "fwd 28×28 conv 32→1", m: 784, n: 1, k: 288, transA: false, transB: false),
            GEMMShape(name: "bwd dW 28×28 32→32", m: 288, n: 32, k: 336, transA: true, transB: false),
            GEMMShape(name: "bwd dX 28×28 32→32", m: 336, n: 288, k: 32, transA: false, transB: true),
        ]
    }

    public struct GEMMResult: Sendable {
        public var shape: GEMMShape
        public var gflops: Double, referenceGflops: Double, maxRelativeError: Double
    }

    /// Times `sgemm` and `sgemmReference` on one shape (single thread) and checks they agree.
    public static func measureGEMM(_ s: GEMMShape, seconds: Double = 0.3) -> GEMMResult {
        var rng = SplitMix64(seed: 7)
        let a = (0..<(s.m * s.k)).map { _ in rng.nextUnitFloat() - 0.5 }
        let b = (0..<(s.k * s.n)).map { _ in rng.nextUnitFloat() - 0.5 }
        var c = [Float](repeating: 0, count: s.m * s.n), cRef = c
        let lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n
        let flops = 2.0 * Double(s.m * s.n * s.k)
        let fast = timeIt(seconds: seconds) {
            sgemm(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, a: a, lda: lda, b: b, ldb: ldb,
                  c: &c, ldc: s.n, accumulate: false)
        }
        let slow = timeIt(seconds: seconds / 3) {
            sgemmReference(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, a: a, lda: lda, b: b,
                           ldb: ldb, c: &cRef, ldc: s.n, accumulate: false)
        }
        let scale = cRef.map { abs($0) }.max() ?? 1
        let err = zip(c, cRef).map { Double(abs($0 - $1)) }.max()! / Double(max(scale, 1e-30))
        return GEMMResult(shape: s, gflops: flops / fast / 1e9, referenceGflops: flops / slow / 1e9,
                          maxRelativeError: err)
    }

    /// Seconds per call of `body`, the best of several timed batches lasting `seconds` in all.
    public static func timeIt(seconds: Double, _ body: () -> Void) -> Double {
        body()  // warm up
        var best = Double.infinity
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            var calls = 0
            let start = DispatchTime.now().uptimeNanoseconds
            repeat { body(); calls += 1 } while DispatchTime.now().uptimeNanoseconds - start < 20_000_000
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(calls))
        } while Date() < deadline
        return best
    }
}

extension EngineBenchmark {
    public struct NetworkResult: Sendable {
        public var architecture: Architecture
        public var threads: Int
        /// Forward through a training pass (every layer's output kept for the backward pass).
        public var forwardImagesPerSecond: Double
        /// Forward through an inference pass (outputs in two buffers by turns), as PyTorch's forward under
        /// `no_grad` and as the float encoder and decoder run.
        public var inferenceImagesPerSecond: Double
        public var trainingImagesPerSecond: Double
        /// Forward GFLOPS (2 · multiply–adds per tile · tiles/s).
        public var forwardGflops: Double { 2 * Double(architecture.macsPerTile) * forwardImagesPerSecond / 1e9 }
        /// Training GFLOPS, counting backward as twice the forward.
        public var trainingGflops: Double { 6 * Double(architecture.macsPerTile) * trainingImagesPerSecond / 1e9 }
    }

    /// Forward images/s (chunks of 16 tiles per thread, through training passes and through inference
    /// passes) and training images/s (batch 64: forward, backward, gradient reduction and Adam) on
    /// `threads` threads, each timed for about `seconds`.
    public static func measureNetwork(_ architecture: Architecture, threads: Int, seconds: Double) -> NetworkResult {
        let model = Autoencoder(architecture: architecture, seed: 1)
        let tiles = SyntheticTiles(count: 4096)

        // Forward: every worker runs chunks of 16 tiles through its own ForwardPass.
        let chunk = 16, tile = Architecture.tileSide * Architecture.tileSide
        let roundChunks = 4 * threads
        func measureForward(inferenceOnly: Bool) -> Double {
            let passes = (0..<threads).map { _ in
                ForwardPass(architecture: architecture, capacity: chunk, inferenceOnly: inferenceOnly)
            }
            for pass in passes {
                for j in 0..<chunk {
                    tiles.tile(j, epoch: 0, into: UnsafeMutableBufferPointer(start: pass.input + j * tile, count: tile))
                }
            }
            let forwardSeconds = timeIt(seconds: seconds) {
                Parallel.forEach(roundChunks, threads: threads) { worker, _ in model.forward(passes[worker], n: chunk) }
            }
            return Double(roundChunks * chunk) / forwardSeconds
        }
        let forwardRate = measureForward(inferenceOnly: false), inferenceRate = measureForward(inferenceOnly: true)

        // Training: whole optimizer steps.
        var options = TrainingOptions()
        options.architecture = architecture
        options.threads = threads
        options.batchSize = 64
        let trainer = Trainer(options: options)
        let trainSeconds = trainer.timeSteps(source: tiles, seconds: seconds)
        return NetworkResult(architecture: architecture, threads: threads, forwardImagesPerSecond: forwardRate,
                             inferenceImagesPerSecond: inferenceRate,
                             trainingImagesPerSecond: Double(options.batchSize) / trainSeconds)
    }
}

extension EngineBenchmark {
    public struct DecoderResult: Sendable {
        public var architecture: Architecture
        /// Tiles decoded per second: the float decoder (the training network's, best kernel set), and the
        /// integer decoder with each kernel set this CPU runs (best first).
        public var floatImagesPerSecond: Double
        public var integerImagesPerSecond: [(set: EngineKernels.Set, rate: Double)]
    }

    /// Decoder-only images/s (chunks of 16 tiles per thread, codes of a random-weight model), the float
    /// decoder (with the kernel set in use) against the integer one (`FixedPointDecoder`) with each set, each
    /// timed for about `seconds`.
    public static func measureDecoder(_ architecture: Architecture, threads: Int, seconds: Double) -> DecoderResult {
        let model = Autoencoder(architecture: architecture, seed: 1)
        let decoder = FixedPointDecoder(model)
        let chunk = 16, codeCount = architecture.codeCount, tile = Architecture.tileSide * Architecture.tileSide
        var rng = SplitMix64(seed: 9, stream: 2)
        let codes = (0..<(chunk * codeCount)).map { _ in rng.nextUnitFloat() }
        let passes = (0..<threads).map { _ in ForwardPass(architecture: architecture, capacity: chunk, inferenceOnly: true) }
        for pass in passes { pass.decoderInput.update(from: codes, count: codes.count) }
        let outputs = (0..<threads).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: chunk * tile) }
        defer { outputs.forEach { $0.deallocate() } }
        let roundChunks = 4 * threads
        let rate = { (seconds: TimeInterval) in Double(roundChunks * chunk) / seconds }
        let float = timeIt(seconds: seconds) {
            Parallel.forEach(roundChunks, threads: threads) { worker, _ in model.decode(passes[worker], n: chunk) }
        }
        let integer = {
            timeIt(seconds: seconds) {
                codes.withUnsafeBufferPointer { c in
                    Parallel.forEach(roundChunks, threads: threads) { worker, _ in
                        decoder.decode(c.baseAddress!, n: chunk, codeHeight: Architecture.codeSide,
                                       codeWidth: Architecture.codeSide, into: outputs[worker])
                    }
                }
            }
        }
        let current = EngineKernels.current
        var rates: [(set: EngineKernels.Set, rate: Double)] = []
        for set in EngineKernels.supported {
            EngineKernels.use(set)
            rates.append((set, rate(integer())))
        }
        EngineKernels.use(current)
        return DecoderResult(architecture: architecture, floatImagesPerSecond: rate(float), integerImagesPerSecond: rates)
    }
}

extension EngineBenchmark {
    /// Encoder-only images/s (chunks of 16 smooth random tiles per thread, a random-weight model): the float
    /// encoder and the integer one (`FixedPointEncoder`), with the kernel set in use, each timed for about
    /// `seconds`.
    public static func measureEncoder(_ architecture: Architecture, threads: Int,
                                      seconds: Double) -> (float: Double, integer: Double) {
        let model = Autoencoder(architecture: architecture, seed: 1)
        let encoder = FixedPointEncoder(model)
        let chunk = 16, tile = Architecture.tileSide * Architecture.tileSide
        let tiles = SyntheticTiles(count: chunk)
        var images = [Float](repeating: 0, count: chunk * tile)
        images.withUnsafeMutableBufferPointer { all in
            for j in 0..<chunk {
                tiles.tile(j, epoch: 0, into: UnsafeMutableBufferPointer(start: all.baseAddress! + j * tile, count: tile))
            }
        }
        let passes = (0..<threads).map { _ in ForwardPass(architecture: architecture, capacity: chunk, inferenceOnly: true) }
        for pass in passes { pass.input.update(from: images, count: images.count) }
        let codes = (0..<threads).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: chunk * architecture.codeCount) }
        defer { codes.forEach { $0.deallocate() } }
        let roundChunks = 4 * threads
        let float = timeIt(seconds: seconds) {
            Parallel.forEach(roundChunks, threads: threads) { worker, _ in model.encode(passes[worker], n: chunk) }
        }
        let integer = timeIt(seconds: seconds) {
            images.withUnsafeBufferPointer { i in
                Parallel.forEach(roundChunks, threads: threads) { worker, _ in
                    encoder.encode(i.baseAddress!, n: chunk, height: Architecture.tileSide, width: Architecture.tileSide,
                                   into: codes[worker])
                }
            }
        }
        return (Double(roundChunks * chunk) / float, Double(roundChunks * chunk) / integer)
    }
}

/// Deterministic smooth random tiles (sums of a few random gradients and blobs): a stand-in for real data
/// where only the speed matters.
public struct SyntheticTiles: TileSource {
    public let count: Int
    public init(count: Int) { self.count = count }

    public func tile(_ index: Int, epoch: Int, into out: UnsafeMutableBufferPointer<Float>) {
        var rng = SplitMix64(seed: 99, stream: UInt64(index))
        let a = rng.nextUnitFloat(), b = rng.nextUnitFloat(), cx = 28 * rng.nextUnitFloat(), cy = 28 * rng.nextUnitFloat()
        for y in 0..<28 {
            for x in 0..<28 {
                let d = (Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)
                out[y * 28 + x] = min(1, max(0, 0.5 * a * Float(x) / 28 + 0.3 * b * Float(y) / 28 + 0.5 * (d < 40 ? 1 : 0)))
            }
        }
    }
}

extension EngineBenchmark {
    public struct LayerTiming: Sendable {
        public var index: Int, layer: Architecture.Layer, shape: (h: Int, w: Int, c: Int)
        public var forwardSeconds: Double, backwardSeconds: Double, macs: Int
    }

    /// Per-layer forward and backward time on one thread for a shard of `n` tiles: where the time goes.
    public static func measureLayers(_ a: Architecture, n: Int = 8, seconds: Double = 0.1) -> [LayerTiming] {
        let shapes = a.shapes
        var rng = SplitMix64(seed: 3)
        let ws = Workspace()
        var result: [LayerTiming] = []
        for (i, layer) in a.layers.enumerated() {
            let (hIn, wIn, cIn) = i == 0 ? (28, 28, 1) : shapes[i - 1]
            let out = shapes[i]
            let inCount = n * hIn * wIn * cIn, outCount = n * out.h * out.w * out.c
            let x = (0..<inCount).map { _ in rng.nextUnitFloat() }
            // Output gradients: fresh each call (the activation's backward works in place).
            var y = [Float](repeating: 0, count: outCount)
            let dy0 = y.map { _ in rng.nextUnitFloat() - 0.5 }
            var dy = dy0
            var dx = [Float](repeating: 0, count: inCount)
            var fwd = 0.0, bwd = 0.0, macs = 0
            switch layer {
            case .conv(let cin, let cout, let activation):
                let wgt = (0..<(9 * cin * cout)).map { _ in rng.nextUnitFloat() - 0.5 }
                let bias = [Float](repeating: 0.1, count: cout)
                var dw = wgt, db = bias
                macs = n * hIn * wIn * 9 * cin * cout
                fwd = timeIt(seconds: seconds) {
                    Conv3x3.forward(out: &y, input: x, weight: wgt, bias: bias, n: n, h: hIn, w: wIn,
                                    cin: cin, cout: cout, activation: activation, workspace: ws)
                }
                bwd = timeIt(seconds: seconds) {
                    dy.withUnsafeMutableBufferPointer { _ = $0.update(from: dy0) }
                    activation.backward(&dy, output: y, count: outCount)
                    Conv3x3.backward(dInput: i == 0 ? nil : dx.withUnsafeMutableBufferPointer { $0.baseAddress! },
                                     dWeight: &dw, dBias: &db, dOut: dy, input: x, weight: wgt, n: n, h: hIn,
                                     w: wIn, cin: cin, cout: cout, workspace: ws)
                }
            case .maxPool:
                var mask = [UInt8](repeating: 0, count: outCount)
                fwd = timeIt(seconds: seconds) { MaxPool2x2.forward(out: &y, argmax: &mask, input: x, n: n, h: hIn, w: wIn, c: cIn) }
                bwd = timeIt(seconds: seconds) { MaxPool2x2.backward(dInput: &dx, dOut: dy, argmax: mask, n: n, h: hIn, w: wIn, c: cIn) }
            case .upsample:
                fwd = timeIt(seconds: seconds) { Upsample2x.forward(out: &y, input: x, n: n, h: hIn, w: wIn, c: cIn) }
                bwd = timeIt(seconds: seconds) { Upsample2x.backward(dInput: &dx, dOut: dy, n: n, h: hIn, w: wIn, c: cIn) }
            }
            result.append(LayerTiming(index: i, layer: layer, shape: out, forwardSeconds: fwd, backwardSeconds: bwd, macs: macs))
        }
        return result
    }

    /// One shape of Winograd layer timed with both tile sizes.
    public struct WinogradTiming: Sendable {
        public var h: Int, w: Int, cin: Int, cout: Int
        /// Seconds per call, forward and backward (input and weight gradients), for F(2×2) and F(4×4).
        public var forward: [Double], backward: [Double]
        /// The largest difference of a forward output from the definition (`Conv3x3.forwardDirect`, summed
        /// in Double), relative to the largest output, for F(2×2) and F(4×4).
        public var relativeError: [Double]
        /// The tile size `Conv3x3` chooses for this shape.
        public var chosen: WinogradConv3x3.Tile
    }

    /// The two Winograd algorithms on every distinct Winograd-supported convolution of `a` (one thread, a
    /// shard of `n` tiles): each measurement is the best of `rounds`, and the rounds alternate F(2×2) and
    /// F(4×4), so that a noisy neighbour slows both alike.
    public static func measureWinogradTiles(_ a: Architecture, n: Int = 8, seconds: Double = 0.05,
                                            rounds: Int = 6) -> [WinogradTiming] {
        let shapes = a.shapes
        var seen = Set<[Int]>(), result: [WinogradTiming] = []
        var rng = SplitMix64(seed: 4)
        let ws = Workspace(), tiles: [WinogradConv3x3.Tile] = [.f2, .f4]
        for (i, layer) in a.layers.enumerated() {
            guard case .conv(let cin, let cout, _) = layer else { continue }
            let (h, w, _) = i == 0 ? (28, 28, 1) : shapes[i - 1]
            guard WinogradConv3x3.supports(h: h, w: w, cin: cin, cout: cout), seen.insert([h, w, cin, cout]).inserted
            else { continue }
            let x = (0..<(n * h * w * cin)).map { _ in rng.nextUnitFloat() }
            let dy = (0..<(n * h * w * cout)).map { _ in rng.nextUnitFloat() - 0.5 }
            let wgt = (0..<(9 * cin * cout)).map { _ in rng.nextUnitFloat() - 0.5 }
            let bias = [Float](repeating: 0.1, count: cout)
            var y = dy, dx = x, dw = wgt, db = bias
            var forward = [Double](repeating: .infinity, count: 2), backward = forward
            for _ in 0..<rounds {
                for (t, tile) in tiles.enumerated() {
                    forward[t] = min(forward[t], timeIt(seconds: seconds) {
                        WinogradConv3x3.forward(out: &y, input: x, weight: wgt, bias: bias, n: n, h: h, w: w,
                                                cin: cin, cout: cout, workspace: ws, tile: tile)
                    })
                    backward[t] = min(backward[t], timeIt(seconds: seconds) {
                        WinogradConv3x3.backward(dInput: &dx, dWeight: &dw, dBias: &db, dOut: dy, input: x, weight: wgt,
                                                 n: n, h: h, w: w, cin: cin, cout: cout, workspace: ws, tile: tile)
                    })
                }
            }
            var exact = y
            Conv3x3.forwardDirect(out: &exact, input: x, weight: wgt, bias: bias, n: n, h: h, w: w, cin: cin, cout: cout)
            let largest = Double(exact.map { abs($0) }.max() ?? 1)
            let relativeError = tiles.map { tile in
                WinogradConv3x3.forward(out: &y, input: x, weight: wgt, bias: bias, n: n, h: h, w: w, cin: cin, cout: cout,
                                        workspace: ws, tile: tile)
                return Double(zip(y, exact).map { abs($0 - $1) }.max() ?? 0) / largest
            }
            result.append(WinogradTiming(h: h, w: w, cin: cin, cout: cout, forward: forward, backward: backward,
                                         relativeError: relativeError, chosen: WinogradConv3x3.tile(h: h, w: w)))
        }
        return result
    }
}
