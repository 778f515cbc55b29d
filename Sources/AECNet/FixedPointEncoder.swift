import AECBase
import CKernels

/// The encoder half of an `Autoencoder` in integer arithmetic, with the integer decoder's number format and
/// kernels (`FixedPointDecoder`): faster than the float encoder (1.4–1.7× in `aec-bench`), and the same codes on
/// every CPU.
/// The codec encodes with it; training keeps the float encoder, whose gradients it needs.
///
/// Pixels in [0, 1] come in at exponent 14; every ReLU conv and its scales are as in the decoder (the
/// exponents calibrated on the float encoder's outputs for `calibrationInputs`); 2×2 max-pooling takes the
/// largest of four integers (the scale does not change); the code conv's sum is shifted to z · 2^10, clamped
/// to ±32767 (no ReLU), and looked up in the decoder's sigmoid table. Its cost against the float encoder is
/// measured in `FixedPointEncoderTests`.
public struct FixedPointEncoder: Sendable {
    public let architecture: Architecture
    let steps: [Step]

    enum Step: Sendable {
        case conv(FixedPointDecoder.Conv)
        case pool
        /// The code conv: its sums at z · 2^10, before the sigmoid.
        case code(FixedPointDecoder.Conv)
    }

    /// Builds the integer encoder of `network`: calibrates its activations' scales, then quantizes its
    /// weights (milliseconds; build it once per model).
    public init(_ network: Autoencoder) {
        let arch = network.architecture
        architecture = arch
        let maxima = Self.calibratedMaxima(network)
        let (offsets, _) = arch.parameterLayout
        var steps: [Step] = []
        var scale = ActivationScale.input  // of the current layer's input
        network.parameters.withUnsafeBufferPointer { p in
            for i in 0...arch.codeLayer {
                switch arch.layers[i] {
                case .maxPool:
                    steps.append(.pool)
                case .upsample:
                    preconditionFailure("the encoder has no upsampling layers")
                case .conv(let cin, let cout, let activation):
                    let o = offsets[i]!
                    let weight = p.baseAddress! + o.weight, bias = p.baseAddress! + o.bias
                    if i == arch.codeLayer {
                        precondition(activation == .sigmoid, "the encoder ends in a sigmoid conv")
                        steps.append(.code(FixedPointDecoder.conv(weight: weight, bias: bias, cin: cin, cout: cout,
                                                                  eIn: scale.exponent, eOut: FixedPointDecoder.zFractionBits,
                                                                  inputLevel: scale.level)))
                    } else {
                        precondition(activation == .relu, "the encoder's inner convs are ReLU")
                        let out = ActivationScale(forMaximum: maxima[i])
                        steps.append(.conv(FixedPointDecoder.conv(weight: weight, bias: bias, cin: cin, cout: cout,
                                                                  eIn: scale.exponent, eOut: out.exponent,
                                                                  inputLevel: scale.level)))
                        scale = out
                    }
                }
            }
        }
        self.steps = steps
    }

    /// Encodes `n` images [n, height, width] (values in [0, 1]; others clamped, NaN read as 0; sides
    /// multiples of 4) into `code` [n, height/4, width/4, codeChannels], values in [0, 1].
    public func encode(_ input: UnsafePointer<Float>, n: Int, height: Int, width: Int,
                       into code: UnsafeMutablePointer<Float>) {
        precondition(height > 0 && width > 0 && height % 4 == 0 && width % 4 == 0, "sides must be positive multiples of 4")
        var largest = height * width, largestPadded = 0
        do {
            var h = height, w = width
            for step in steps {
                switch step {
                case .pool: h /= 2; w /= 2
                case .conv(let c), .code(let c):
                    largest = max(largest, h * w * c.cout)
                    largestPadded = max(largestPadded, ((h + 2) * (w + 2) + 6) * c.c2)
                }
            }
        }
        let current = UnsafeMutablePointer<Int16>.allocate(capacity: largest)
        let next = UnsafeMutablePointer<Int16>.allocate(capacity: largest)
        let padded = UnsafeMutablePointer<Int16>.allocate(capacity: largestPadded)
        defer { current.deallocate(); next.deallocate(); padded.deallocate() }
        let table = FixedPointDecoder.sigmoidTable
        let scale = Float(1 << FixedPointDecoder.codeExponent)
        let limit = FixedPointDecoder.zLimit << FixedPointDecoder.zFractionBits

        for b in 0..<n {
            var (a, spare) = (current, next)
            var h = height, w = width, c = 1
            let image = input + b * height * width
            for i in 0..<(h * w) {
                let v = image[i] * scale
                a[i] = v > 0 ? Int16(min(v, 32767).rounded(.toNearestOrAwayFromZero)) : 0
            }
            for step in steps {
                switch step {
                case .pool:
                    // [h, w, c] → [h/2, w/2, c], the largest of each 2×2 block.
                    let ho = h / 2, wo = w / 2
                    for y in 0..<ho {
                        for x in 0..<wo {
                            let i00 = (2 * y * w + 2 * x) * c, i10 = i00 + w * c, o = (y * wo + x) * c
                            for ch in 0..<c {
                                spare[o + ch] = max(max(a[i00 + ch], a[i00 + c + ch]), max(a[i10 + ch], a[i10 + c + ch]))
                            }
                        }
                    }
                    h = ho; w = wo
                    swap(&a, &spare)
                case .conv(let layer):
                    FixedPointDecoder.pad(a, h: h, w: w, c: layer.cin, into: padded, c2: layer.c2)
                    Self.run(layer, padded: padded, h: h, w: w, into: spare, relu: true)
                    c = layer.cout
                    swap(&a, &spare)
                case .code(let layer):
                    FixedPointDecoder.pad(a, h: h, w: w, c: layer.cin, into: padded, c2: layer.c2)
                    Self.run(layer, padded: padded, h: h, w: w, into: spare, relu: false)
                    let out = code + b * h * w * layer.cout
                    for k in 0..<(h * w * layer.cout) { out[k] = table[min(max(Int(spare[k]), -limit), limit) + limit] }
                }
            }
        }
    }

    private static func run(_ layer: FixedPointDecoder.Conv, padded: UnsafePointer<Int16>, h: Int, w: Int,
                            into out: UnsafeMutablePointer<Int16>, relu: Bool) {
        layer.packed.withUnsafeBufferPointer { packed in
            layer.bias.withUnsafeBufferPointer { bias in
                layer.shift.withUnsafeBufferPointer { shift in
                    if relu {
                        aec_int_conv3x3(padded, h, w, layer.c2, packed.baseAddress!, bias.baseAddress!, shift.baseAddress!,
                                        layer.cout, out)
                    } else {
                        aec_int_conv3x3_linear(padded, h, w, layer.c2, packed.baseAddress!, bias.baseAddress!,
                                               shift.baseAddress!, layer.cout, out)
                    }
                }
            }
        }
    }

    // MARK: Calibration

    /// Synthetic 28×28 images [FixedPointCalibration.count, 28, 28] (`FixedPointCalibration.inputs`).
    static func calibrationInputs() -> [Float] {
        FixedPointCalibration.inputs(side: Architecture.tileSide, channels: 1, seed: 0xE1C0DE, stream: 5)
    }

    /// The largest output of every encoder layer of the float network over `calibrationInputs` (indexed by
    /// layer).
    static func calibratedMaxima(_ network: Autoencoder) -> [Float] {
        let arch = network.architecture, size = Architecture.tileSide * Architecture.tileSide
        let images = calibrationInputs()
        return FixedPointCalibration.maxima(network, layers: 0...arch.codeLayer, fill: { pass, first, n in
            images.withUnsafeBufferPointer { pass.input.update(from: $0.baseAddress! + first * size, count: n * size) }
        }, run: { pass, n in network.encode(pass, n: n) })
    }
}
