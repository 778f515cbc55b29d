import AECBase

/// How the integer network (`FixedPointDecoder`, `FixedPointEncoder`) finds its activations' scales: the
/// largest value each layer of the float network outputs on a fixed set of synthetic inputs. Only
/// arithmetic (no libm) and a fixed seed, so every machine finds the same.
enum FixedPointCalibration {
    /// Inputs per calibration.
    static let count = 24

    /// `count` synthetic planes [count, side, side, channels], values in [0, 1]: six constant (0, 0.2, … 1),
    /// nine of independent uniform values, and nine of triangle-wave ramps at random angles and frequencies
    /// (each channel shifted in phase) — flat, busy and smooth inputs.
    static func inputs(side: Int, channels: Int, seed: UInt64, stream: UInt64) -> [Float] {
        let size = side * side * channels
        var rng = SplitMix64(seed: seed, stream: stream)
        var planes: [Float] = []
        for k in 0..<6 { planes += [Float](repeating: Float(k) / 5, count: size) }
        for _ in 0..<9 { planes += (0..<size).map { _ in rng.nextUnitFloat() } }
        for _ in 0..<9 {
            let fx = rng.nextUnitFloat() - 0.5, fy = rng.nextUnitFloat() - 0.5, phase = rng.nextUnitFloat()
            for y in 0..<side {
                for x in 0..<side {
                    for c in 0..<channels {
                        let t = fx * Float(x) + fy * Float(y) + phase + Float(c) * 0.37
                        planes.append(abs(2 * (t - t.rounded(.down)) - 1))
                    }
                }
            }
        }
        return planes
    }

    /// The largest output of each of `layers` (indexed by layer; 0 for the others) over `count` inputs, four
    /// at a time on the cores: `fill(pass, first, n)` puts inputs first ..< first + n into the pass, and
    /// `run(pass, n)` runs the half of the network that computes those layers. The largest value does not
    /// depend on which chunk finds it.
    static func maxima(_ network: Autoencoder, layers: ClosedRange<Int>, fill: (ForwardPass, Int, Int) -> Void,
                       run: (ForwardPass, Int) -> Void) -> [Float] {
        let arch = network.architecture
        // A pass that keeps every layer's output holds ~2 MB per 28×28 tile: a few at a time.
        let chunk = 4, chunks = (count + chunk - 1) / chunk
        let threads = min(Parallel.coreCount, chunks)
        let passes = (0..<threads).map { _ in ForwardPass(architecture: arch, capacity: chunk) }
        var chunkMaxima = [[Float]](repeating: [], count: chunks)
        let lock = Lock()
        Parallel.forEach(chunks, threads: threads) { worker, c in
            let pass = passes[worker], first = c * chunk, n = min(chunk, count - first)
            fill(pass, first, n)
            run(pass, n)
            var maxima = [Float](repeating: 0, count: arch.layers.count)
            for i in layers {
                let s = pass.shapes[i], out = pass.outputs[i]
                for k in 0..<(n * s.h * s.w * s.c) { maxima[i] = max(maxima[i], out[k]) }
            }
            lock.withLock { chunkMaxima[c] = maxima }
        }
        return chunkMaxima.dropFirst().reduce(chunkMaxima[0]) { zip($0, $1).map { max($0, $1) } }
    }
}

/// The scale of the integers flowing between two layers: their exponent e (value · 2^e) and the largest
/// of them that calibration saw.
struct ActivationScale {
    var exponent: Int
    var level: Double

    /// The network's input — code values or pixels in [0, 1] — at exponent 14 (at most 16384).
    static let input = ActivationScale(exponent: FixedPointDecoder.codeExponent,
                                       level: Double(1 << FixedPointDecoder.codeExponent))

    init(exponent: Int, level: Double) { self.exponent = exponent; self.level = level }

    /// The scale for a ReLU layer's output whose calibrated largest value is `maximum`.
    init(forMaximum maximum: Float) {
        exponent = FixedPointDecoder.exponent(forMaximum: Double(maximum))
        level = max(1, (Double(maximum) * FixedPointDecoder.power(exponent)).rounded(.up))
    }
}
