import AECBase
import CKernels
import Foundation

/// The decoder half of an `Autoencoder` in integer arithmetic, so that a code decodes to the same values on
/// every CPU, with every kernel set, in any build: int16 activations and weights, sums in 32-bit integers
/// (exact, so their order does not matter), and a table for the final sigmoid. Decoding uses it (and
/// `FixedPointEncoder` its format and kernels); the float decoder (`Autoencoder.decode`) stays for
/// training, which needs its gradients. A conv that follows an upsampling runs on the small image, one
/// output phase at a time (`UpConv`): the same sums, 4 taps instead of 9.
///
/// Number format. The input of decoder conv layer l holds integers a = round(x · 2^e_l) in 0…32767 (x the
/// float activation, e_l one exponent per layer); the code comes in at e = 14 (code values are in [0, 1]).
/// Output channel co of the layer has weights w_q = round(w · 2^f_co) and bias round(b · 2^(f_co + e_l)),
/// so that its integer sum s = Σ w_q · a + b_q stands for the float sum times 2^(f_co + e_l). The next
/// layer's input is then (s + half) >> (f_co + e_l − e_{l+1}), ReLU'd and clamped to 32767. The last conv's
/// sum is shifted to z · 2^10 and looked up in a table of σ(z), rounded to 1/65536.
///
/// The scales come from the model alone, so they are the same wherever it is loaded:
/// - e_l puts the largest activation that the float decoder gives on a fixed set of synthetic codes
///   (`calibrationCodes`) at 2^11 to 2^12, eight or more times below the clamp;
/// - f_co is the largest exponent that keeps every |w_q| ≤ 16383 (8191 after an upsampling, so that four
///   summed fit 16 bits) and Σ|w_q| · (that largest activation, as an integer) ≤ 2^29, so a sum overflows
///   only if every input is several times larger than any calibration code made it — and even then it
///   wraps the same way on every CPU.
///
/// Its cost against the float decoder is measured in `FixedPointDecoderTests` (< 0.02 dB on the shipped
/// models).
public struct FixedPointDecoder: Sendable {
    public let architecture: Architecture
    let steps: [Step]

    /// The code's exponent: values in [0, 1] become 0…16384.
    static let codeExponent = 14
    /// Largest calibrated activation, as an integer: at most this (and more than half of it).
    static let activationLevel = 4096.0
    /// Budget for Σ|w_q| · largest input, per output channel.
    static let sumBudget = Double(1 << 29)
    /// The output layer's sum is shifted to z · 2^zFractionBits before the table lookup.
    static let zFractionBits = 10
    /// The table covers z in [−zLimit, zLimit]; σ(±16) is within 1.2e-7 of 0 or 1.
    static let zLimit = 16

    enum Step: Sendable {
        case conv(Conv)
        /// A ×2 upsampling and the ReLU conv after it, run as four 2×2 convs on the small image.
        case upConv(UpConv)
        case output(OutputConv)
        case upsample
    }

    /// A ReLU conv: cin input channels stored c2 = cin rounded up to even per pixel.
    struct Conv: Sendable {
        let cin: Int, c2: Int, cout: Int
        /// [⌈cout/16⌉, 9, c2/2, 16, 2], as `aec_int_conv3x3` reads it.
        let packed: [Int16]
        /// ⌈cout/16⌉·16 entries each.
        let bias: [Int32], shift: [Int32]
    }

    /// An upsampling and a ReLU conv: the conv's weights, summed per output phase (`aec_int_conv_up_phase`).
    struct UpConv: Sendable {
        let cin: Int, c2: Int, cout: Int
        /// Phase dy·2 + dx: [⌈cout/16⌉, 4, c2/2, 16, 2].
        let phases: [[Int16]]
        let bias: [Int32], shift: [Int32]
    }

    /// The sigmoid output conv (one output channel).
    struct OutputConv: Sendable {
        let cin: Int, c2: Int
        /// [9, c2].
        let weight: [Int16]
        let bias: Int32
        /// (sum + half) >> shift = z · 2^zFractionBits.
        let shift: Int
    }

    /// Builds the integer decoder of `network`: calibrates its activations' scales, then quantizes its
    /// weights (a few milliseconds; build it once per model).
    public init(_ network: Autoencoder) {
        let arch = network.architecture
        architecture = arch
        let decoderLayers = Array((arch.codeLayer + 1)..<arch.layers.count)
        let maxima = Self.calibratedMaxima(network)
        let (offsets, _) = arch.parameterLayout
        var steps: [Step] = []
        var scale = ActivationScale.input  // of the current layer's input
        network.parameters.withUnsafeBufferPointer { p in
            var afterUpsampling = false
            for i in decoderLayers {
                let upsampled = afterUpsampling
                afterUpsampling = false
                switch arch.layers[i] {
                case .upsample:
                    // Joined to the conv after it, when that is an inner ReLU conv.
                    if i + 1 < decoderLayers.last!, case .conv(_, _, .relu) = arch.layers[i + 1] {
                        afterUpsampling = true
                    } else {
                        steps.append(.upsample)
                    }
                case .maxPool:
                    preconditionFailure("the decoder has no pooling layers")
                case .conv(let cin, let cout, let activation):
                    let o = offsets[i]!
                    let weight = p.baseAddress! + o.weight, bias = p.baseAddress! + o.bias
                    if i == decoderLayers.last! {
                        precondition(activation == .sigmoid && cout == 1, "the decoder ends in a one-channel sigmoid conv")
                        steps.append(.output(Self.outputConv(weight: weight, bias: bias[0], cin: cin, eIn: scale.exponent,
                                                             inputLevel: scale.level)))
                    } else {
                        precondition(activation == .relu, "the decoder's inner convs are ReLU")
                        let out = ActivationScale(forMaximum: maxima[i])
                        if upsampled {
                            steps.append(.upConv(Self.upConv(weight: weight, bias: bias, cin: cin, cout: cout, eIn: scale.exponent,
                                                              eOut: out.exponent, inputLevel: scale.level)))
                        } else {
                            steps.append(.conv(Self.conv(weight: weight, bias: bias, cin: cin, cout: cout, eIn: scale.exponent,
                                                         eOut: out.exponent, inputLevel: scale.level)))
                        }
                        scale = out
                    }
                }
            }
        }
        self.steps = steps
    }

    // MARK: Decoding

    /// Decodes `n` codes [n, codeHeight, codeWidth, codeChannels] into `output` [n, 4·codeHeight,
    /// 4·codeWidth], values in [0, 1]. Code values should lie in [0, 1] (others are clamped; NaN reads as 0).
    public func decode(_ code: UnsafePointer<Float>, n: Int, codeHeight: Int, codeWidth: Int,
                       into output: UnsafeMutablePointer<Float>) {
        precondition(n >= 0 && codeHeight > 0 && codeWidth > 0, "an empty code")
        let channels = architecture.codeChannels
        // Buffers for one image, sized for the largest layer.
        var largest = codeHeight * codeWidth * channels, largestPadded = 0
        do {
            var h = codeHeight, w = codeWidth
            for step in steps {
                switch step {
                case .upsample: h *= 2; w *= 2
                case .conv(let c):
                    largest = max(largest, h * w * c.cout)
                    largestPadded = max(largestPadded, ((h + 2) * (w + 2) + 6) * c.c2)
                case .upConv(let c):
                    largestPadded = max(largestPadded, ((h + 2) * (w + 2) + 6) * c.c2)
                    h *= 2; w *= 2
                    largest = max(largest, h * w * c.cout)
                case .output(let c):
                    largestPadded = max(largestPadded, ((h + 2) * (w + 2) + 6) * c.c2)
                }
            }
        }
        let current = UnsafeMutablePointer<Int16>.allocate(capacity: largest)
        let next = UnsafeMutablePointer<Int16>.allocate(capacity: largest)
        let padded = UnsafeMutablePointer<Int16>.allocate(capacity: largestPadded)
        let sums = UnsafeMutablePointer<Int32>.allocate(capacity: 16 * codeHeight * codeWidth)
        defer { current.deallocate(); next.deallocate(); padded.deallocate(); sums.deallocate() }
        let table = Self.sigmoidTable
        let codeScale = Float(1 << Self.codeExponent)

        for b in 0..<n {
            var (a, spare) = (current, next)
            var h = codeHeight, w = codeWidth, c = channels
            let image = code + b * codeHeight * codeWidth * channels
            for i in 0..<(h * w * c) {
                let v = image[i] * codeScale
                a[i] = v > 0 ? Int16(min(v, 32767).rounded(.toNearestOrAwayFromZero)) : 0
            }
            for step in steps {
                switch step {
                case .upsample:
                    // [h, w, c] → [2h, 2w, c], each pixel copied to a 2×2 block.
                    for y in 0..<(2 * h) {
                        for x in 0..<(2 * w) {
                            (spare + (y * 2 * w + x) * c).update(from: a + ((y / 2) * w + x / 2) * c, count: c)
                        }
                    }
                    h *= 2; w *= 2
                    swap(&a, &spare)
                case .conv(let layer):
                    Self.pad(a, h: h, w: w, c: layer.cin, into: padded, c2: layer.c2)
                    layer.packed.withUnsafeBufferPointer { packed in
                        layer.bias.withUnsafeBufferPointer { bias in
                            layer.shift.withUnsafeBufferPointer { shift in
                                aec_int_conv3x3(padded, h, w, layer.c2, packed.baseAddress!, bias.baseAddress!,
                                                shift.baseAddress!, layer.cout, spare)
                            }
                        }
                    }
                    c = layer.cout
                    swap(&a, &spare)
                case .upConv(let layer):
                    Self.runUpConv(layer, input: a, h: h, w: w, padded: padded, into: spare)
                    h *= 2; w *= 2
                    c = layer.cout
                    swap(&a, &spare)
                case .output(let layer):
                    Self.pad(a, h: h, w: w, c: layer.cin, into: padded, c2: layer.c2)
                    layer.weight.withUnsafeBufferPointer {
                        aec_int_conv3x3_single(padded, h, w, layer.c2, $0.baseAddress!, layer.bias, sums)
                    }
                    let out = output + b * h * w
                    let half = layer.shift > 0 ? Int64(1) << (layer.shift - 1) : 0
                    let limit = Int64(Self.zLimit << Self.zFractionBits)
                    for p in 0..<(h * w) {
                        let z = (Int64(sums[p]) + half) >> layer.shift
                        out[p] = table[Int(min(max(z, -limit), limit) + limit)]
                    }
                }
            }
        }
    }

    /// Copies `a` [h, w, c] into `padded` [(h + 2)·(w + 2) + 6, c2] with a zero border, zero channels c…c2 − 1,
    /// and six zero pixels at the end.
    static func pad(_ a: UnsafePointer<Int16>, h: Int, w: Int, c: Int, into padded: UnsafeMutablePointer<Int16>,
                            c2: Int) {
        let pw = w + 2
        padded.update(repeating: 0, count: ((h + 2) * pw + 6) * c2)
        for y in 0..<h {
            let row = padded + ((y + 1) * pw + 1) * c2, source = a + y * w * c
            if c == c2 {
                row.update(from: source, count: w * c)
            } else {
                for x in 0..<w { (row + x * c2).update(from: source + x * c, count: c) }
            }
        }
    }

    /// `layer` on `input` [h, w, cin]: out [2h, 2w, cout], `padded` as scratch.
    static func runUpConv(_ layer: UpConv, input: UnsafePointer<Int16>, h: Int, w: Int,
                          padded: UnsafeMutablePointer<Int16>, into out: UnsafeMutablePointer<Int16>) {
        pad(input, h: h, w: w, c: layer.cin, into: padded, c2: layer.c2)
        layer.bias.withUnsafeBufferPointer { bias in
            layer.shift.withUnsafeBufferPointer { shift in
                for phase in 0..<4 {
                    layer.phases[phase].withUnsafeBufferPointer {
                        aec_int_conv_up_phase(padded, h, w, layer.c2, phase / 2, phase % 2, $0.baseAddress!,
                                              bias.baseAddress!, shift.baseAddress!, layer.cout, out)
                    }
                }
            }
        }
    }

    /// σ(k / 2^10) for k = −16·2^10 … 16·2^10, in steps of 1/65536: Float(min(round(65536 · σ), 65535)) / 65536,
    /// exact in Float. Computed in Double; no entry lies near a rounding tie (a test checks), so every `exp`
    /// correct to a few ulp gives this table.
    static let sigmoidTable: [Float] = sigmoidLevels.map { Float($0) / 65536 }

    /// The table's entries as integers, min(round(65536 · σ(k / 2^10)), 65535).
    static let sigmoidLevels: [UInt16] = {
        let limit = zLimit << zFractionBits
        return (-limit...limit).map { k in
            let z = Double(k) / Double(1 << zFractionBits)
            return UInt16(min((65536 / (1 + Foundation.exp(-z))).rounded(), 65535))
        }
    }()

    // MARK: Scales

    static func power(_ e: Int) -> Double { Double(sign: .plus, exponent: e, significand: 1) }

    /// The largest e in −8…20 with maximum · 2^e ≤ activationLevel (20 for a layer that stays at 0).
    static func exponent(forMaximum maximum: Double) -> Int {
        guard maximum > 0 else { return 20 }
        var e = -8
        while e < 20 && maximum * power(e + 1) <= activationLevel { e += 1 }
        return e
    }

    /// The largest weight exponent f in −8…24 for a channel whose weights' absolute values sum to `sum`
    /// (largest `largest`), with bias `bias`, inputs at exponent `eIn` and at most `inputLevel`.
    static func weightExponent(sum: Double, largest: Double, bias: Double, eIn: Int, inputLevel: Double,
                               weightLimit: Double = 16383) -> Int {
        var f = 24
        while f > -8 && (largest * power(f) > weightLimit || sum * power(f) * inputLevel > sumBudget
                         || abs(bias) * power(f + eIn) > sumBudget) {
            f -= 1
        }
        return f
    }

    /// round(value · 2^exponent) clamped to ±limit (NaN, which a loaded model file cannot hold, as 0).
    static func quantized(_ value: Float, exponent: Int, limit: Double) -> Double {
        guard !value.isNaN else { return 0 }
        return min(max((Double(value) * power(exponent)).rounded(.toNearestOrAwayFromZero), -limit), limit)
    }

    /// The quantized weights [9·cin, cout] (as Int32, for summing), biases and shifts of a ReLU conv with
    /// weight [9·cin, cout] and bias [cout]: the exponent keeps the largest at most `largest` (unless the shift
    /// needs more), and every |weight| is clamped to `clamp`.
    static func quantizedConv(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, cin: Int, cout: Int, eIn: Int,
                              eOut: Int, inputLevel: Double, largest largestAllowed: Double,
                              clamp: Double) -> (weights: [Int32], bias: [Int32], shift: [Int32]) {
        let padded = (cout + 15) / 16 * 16
        var weights = [Int32](repeating: 0, count: 9 * cin * cout)
        var biases = [Int32](repeating: 0, count: padded), shifts = [Int32](repeating: 0, count: padded)
        for co in 0..<cout {
            var sum = 0.0, largest = 0.0
            for k in 0..<(9 * cin) {
                let v = abs(Double(weight[k * cout + co]))
                sum += v; largest = max(largest, v)
            }
            // The shift to the next layer's scale, f + eIn − eOut, must lie in 0…31 (a right shift of an int32).
            let f = min(max(weightExponent(sum: sum, largest: largest, bias: Double(bias[co]), eIn: eIn, inputLevel: inputLevel,
                                           weightLimit: largestAllowed),
                            eOut - eIn), 31 + eOut - eIn)
            shifts[co] = Int32(f + eIn - eOut)
            biases[co] = Int32(quantized(bias[co], exponent: f + eIn, limit: Double(1 << 30)))
            for k in 0..<(9 * cin) {
                weights[k * cout + co] = Int32(quantized(weight[k * cout + co], exponent: f, limit: clamp))
            }
        }
        return (weights, biases, shifts)
    }

    /// Weights [taps·cin, cout] packed as [⌈cout/16⌉, taps, c2/2, 16, 2] (zeros past cin and cout).
    static func packed(_ weights: [Int32], taps: Int, cin: Int, cout: Int) -> [Int16] {
        let c2 = (cin + 1) / 2 * 2
        var packed = [Int16](repeating: 0, count: (cout + 15) / 16 * taps * (c2 / 2) * 32)
        for co in 0..<cout {
            let (j, jj) = co.quotientAndRemainder(dividingBy: 16)
            for tap in 0..<taps {
                for ci in 0..<cin {
                    // [block j, tap, pair ci/2, channel jj, ci % 2]
                    packed[(((j * taps + tap) * (c2 / 2) + ci / 2) * 16 + jj) * 2 + ci % 2] = Int16(weights[(tap * cin + ci) * cout + co])
                }
            }
        }
        return packed
    }

    /// weight [9·cin, cout] and bias [cout] of a ReLU conv, packed for `aec_int_conv3x3`.
    static func conv(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, cin: Int, cout: Int, eIn: Int, eOut: Int,
                     inputLevel: Double) -> Conv {
        let q = quantizedConv(weight: weight, bias: bias, cin: cin, cout: cout, eIn: eIn, eOut: eOut, inputLevel: inputLevel,
                              largest: 16383, clamp: 32767)
        return Conv(cin: cin, c2: (cin + 1) / 2 * 2, cout: cout, packed: packed(q.weights, taps: 9, cin: cin, cout: cout),
                    bias: q.bias, shift: q.shift)
    }

    /// The same conv after a ×2 upsampling, for `aec_int_conv_up_phase`: weights limited to ±8191 so that the
    /// sum of the four that can land on one input pixel fits an int16.
    static func upConv(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, cin: Int, cout: Int, eIn: Int, eOut: Int,
                       inputLevel: Double) -> UpConv {
        let q = quantizedConv(weight: weight, bias: bias, cin: cin, cout: cout, eIn: eIn, eOut: eOut, inputLevel: inputLevel,
                              largest: 8191, clamp: 8191)
        return UpConv(cin: cin, c2: (cin + 1) / 2 * 2, cout: cout,
                      phases: (0..<4).map { packed(phaseWeights(q.weights, dy: $0 / 2, dx: $0 % 2, cin: cin, cout: cout),
                                                   taps: 4, cin: cin, cout: cout) },
                      bias: q.bias, shift: q.shift)
    }

    /// The 3×3 weights [9·cin, cout] summed into the 2×2 window that output phase (dy, dx) of an upsampled
    /// image reads: output row 2y + dy, tap ky reads upsampled row 2y + dy + ky − 1, which is input row
    /// y + ⌊(dy + ky − 1)/2⌋ — window row ⌊(dy + ky − 1)/2⌋ − (dy − 1) ∈ {0, 1}; the same for columns.
    static func phaseWeights(_ weights: [Int32], dy: Int, dx: Int, cin: Int, cout: Int) -> [Int32] {
        var out = [Int32](repeating: 0, count: 4 * cin * cout)
        for ky in 0..<3 {
            for kx in 0..<3 {
                let r = (dy + ky - 1) >> 1 - (dy - 1), c = (dx + kx - 1) >> 1 - (dx - 1)
                for k in 0..<(cin * cout) { out[(r * 2 + c) * cin * cout + k] += weights[(ky * 3 + kx) * cin * cout + k] }
            }
        }
        return out
    }

    /// weight [9·cin, 1] and the bias of the sigmoid output conv.
    static func outputConv(weight: UnsafePointer<Float>, bias: Float, cin: Int, eIn: Int, inputLevel: Double) -> OutputConv {
        let c2 = (cin + 1) / 2 * 2
        var sum = 0.0, largest = 0.0
        for k in 0..<(9 * cin) {
            sum += abs(Double(weight[k])); largest = max(largest, abs(Double(weight[k])))
        }
        let f = min(max(weightExponent(sum: sum, largest: largest, bias: Double(bias), eIn: eIn, inputLevel: inputLevel),
                        zFractionBits - eIn), 31 + zFractionBits - eIn)
        var packed = [Int16](repeating: 0, count: 9 * c2)
        for tap in 0..<9 {
            for ci in 0..<cin { packed[tap * c2 + ci] = Int16(quantized(weight[tap * cin + ci], exponent: f, limit: 32767)) }
        }
        return OutputConv(cin: cin, c2: c2, weight: packed,
                          bias: Int32(quantized(bias, exponent: f + eIn, limit: Double(1 << 30))),
                          shift: f + eIn - zFractionBits)
    }

    // MARK: Calibration

    /// Synthetic codes [FixedPointCalibration.count, 7, 7, codeChannels] (`FixedPointCalibration.inputs`).
    static func calibrationCodes(channels: Int) -> [Float] {
        FixedPointCalibration.inputs(side: Architecture.codeSide, channels: channels, seed: 0xCA11B, stream: 7)
    }

    /// The largest output of every layer of the float decoder over `calibrationCodes` (indexed by layer;
    /// 0 for the encoder's layers).
    static func calibratedMaxima(_ network: Autoencoder) -> [Float] {
        let arch = network.architecture
        let codes = calibrationCodes(channels: arch.codeChannels)
        return FixedPointCalibration.maxima(network, layers: (arch.codeLayer + 1)...(arch.layers.count - 1),
                                            fill: { pass, first, n in
            codes.withUnsafeBufferPointer {
                pass.decoderInput.update(from: $0.baseAddress! + first * arch.codeCount, count: n * arch.codeCount)
            }
        }, run: { pass, n in network.decode(pass, n: n) })
    }
}

extension FixedPointDecoder {
    /// One ReLU conv on one image [h, w, layer.cin] → [h, w, layer.cout] (for tests).
    static func run(_ layer: Conv, input: [Int16], h: Int, w: Int) -> [Int16] {
        let padded = UnsafeMutablePointer<Int16>.allocate(capacity: ((h + 2) * (w + 2) + 6) * layer.c2)
        defer { padded.deallocate() }
        var out = [Int16](repeating: -1, count: h * w * layer.cout)
        input.withUnsafeBufferPointer { pad($0.baseAddress!, h: h, w: w, c: layer.cin, into: padded, c2: layer.c2) }
        out.withUnsafeMutableBufferPointer { o in
            aec_int_conv3x3(padded, h, w, layer.c2, layer.packed, layer.bias, layer.shift, layer.cout, o.baseAddress!)
        }
        return out
    }
}

extension FixedPointDecoder {
    /// An upsampling and a ReLU conv on one image [h, w, layer.cin] → [2h, 2w, layer.cout] (for tests).
    static func run(_ layer: UpConv, input: [Int16], h: Int, w: Int) -> [Int16] {
        let padded = UnsafeMutablePointer<Int16>.allocate(capacity: ((h + 2) * (w + 2) + 6) * layer.c2)
        defer { padded.deallocate() }
        var out = [Int16](repeating: -1, count: 4 * h * w * layer.cout)
        input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { runUpConv(layer, input: i.baseAddress!, h: h, w: w, padded: padded, into: $0.baseAddress!) }
        }
        return out
    }
}
