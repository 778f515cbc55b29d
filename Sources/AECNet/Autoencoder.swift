import AECBase
/// The notes' convolutional autoencoder: an `Architecture` plus its parameters, with forward and backward
/// passes over a batch of 28×28 tiles.
///
/// Parameters live in one flat vector (`parameters`), conv by conv: weight [3, 3, cin, cout] then bias
/// [cout] (see `Architecture.parameterLayout`). Gradients use the same layout, so Adam, checkpoints and
/// the model file all see one array.
public struct Autoencoder: Sendable {
    public let architecture: Architecture
    public var parameters: [Float]

    public init(architecture: Architecture, parameters: [Float]) {
        precondition(parameters.count == architecture.parameterLayout.count,
                     "\(parameters.count) parameters for a model that has \(architecture.parameterLayout.count)")
        self.architecture = architecture
        self.parameters = parameters
    }

    /// He initialisation's standard deviation for a 3×3 conv with `cin` input channels: √(2 / (9·cin)).
    static func heStandardDeviation(cin: Int) -> Float { (2 / Float(9 * cin)).squareRoot() }

    /// He initialisation: weights ~ N(0, 2/fan_in) with fan_in = 9·cin, biases 0.
    public init(architecture: Architecture, seed: UInt64) {
        var rng = SplitMix64(seed: seed, stream: 0x1417)
        let (offsets, count) = architecture.parameterLayout
        var p = [Float](repeating: 0, count: count)
        for (layer, offset) in zip(architecture.layers, offsets) {
            guard case .conv(let cin, let cout, _) = layer, let offset else { continue }
            let std = Self.heStandardDeviation(cin: cin)
            for i in 0..<(9 * cin * cout) { p[offset.weight + i] = std * rng.nextGaussian() }
        }
        self.init(architecture: architecture, parameters: p)
    }

    /// A hook applied to the code between encoder and decoder: quantization at test time, additive noise
    /// in quantization-aware training. It receives the code of `n` tiles ([n, 7, 7, codeChannels]) to
    /// modify in place. Its gradient is taken as the identity (the straight-through estimator).
    public typealias CodeTransform = (_ code: UnsafeMutablePointer<Float>, _ n: Int) -> Void

    /// Runs the whole network on `pass.input` (the first `n` tiles) and leaves every layer's output in
    /// `pass`: the code in `pass.code`, the reconstruction in `pass.output`.
    public func forward(_ pass: ForwardPass, n: Int, codeTransform: CodeTransform? = nil) {
        encode(pass, n: n)
        pass.decoderInput.update(from: pass.code, count: n * pass.codeCount)
        codeTransform?(pass.decoderInput, n)
        decode(pass, n: n)
    }

    /// The encoder half: `pass.input` → `pass.code`.
    public func encode(_ pass: ForwardPass, n: Int) {
        runLayers(0...architecture.codeLayer, pass: pass, n: n)
    }

    /// The decoder half: `pass.decoderInput` → `pass.output`.
    public func decode(_ pass: ForwardPass, n: Int) {
        runLayers((architecture.codeLayer + 1)..<architecture.layers.count, pass: pass, n: n)
    }

    private func runLayers<R: Sequence<Int>>(_ range: R, pass: ForwardPass, n: Int) {
        let shapes = pass.shapes
        let (offsets, _) = architecture.parameterLayout
        parameters.withUnsafeBufferPointer { params in
            let p = params.baseAddress!
            for i in range {
                let input = pass.input(of: i)
                let (hIn, wIn, cIn) = i == 0 ? (pass.height, pass.width, 1) : shapes[i - 1]
                let out = pass.outputs[i]
                switch architecture.layers[i] {
                case .conv(let cin, let cout, let activation):
                    let o = offsets[i]!
                    Conv3x3.forward(out: out, input: input, weight: p + o.weight, bias: p + o.bias, n: n, h: hIn,
                                    w: wIn, cin: cin, cout: cout, activation: activation, workspace: pass.workspace)
                case .maxPool:
                    MaxPool2x2.forward(out: out, argmax: pass.argmax[i]!, input: input, n: n, h: hIn, w: wIn, c: cIn)
                case .upsample:
                    Upsample2x.forward(out: out, input: input, n: n, h: hIn, w: wIn, c: cIn)
                }
            }
        }
    }

    /// Backpropagates from ∂L/∂output (in `pass.outputGradient`, [n, 28, 28, 1]) after `forward(pass, n:)`,
    /// **adding** ∂L/∂θ into `gradients` (same layout as `parameters`). `codeGradient`, when given, is an
    /// extra term added to ∂L/∂code (e.g. a sparsity penalty's), [n, 7, 7, codeChannels].
    public func backward(_ pass: ForwardPass, n: Int, gradients: UnsafeMutablePointer<Float>,
                         codeGradient: UnsafePointer<Float>? = nil) {
        precondition(!pass.inferenceOnly, "backward needs a pass that keeps every layer's output")
        let shapes = pass.shapes
        let (offsets, _) = architecture.parameterLayout
        var g = pass.outputGradient      // ∂L/∂(output of layer i)
        var gNext = pass.gradientScratch // ∂L/∂(input of layer i)
        parameters.withUnsafeBufferPointer { params in
            let p = params.baseAddress!
            for i in stride(from: architecture.layers.count - 1, through: 0, by: -1) {
                let (hIn, wIn, cIn) = i == 0 ? (pass.height, pass.width, 1) : shapes[i - 1]
                let (h, w, c) = shapes[i]
                switch architecture.layers[i] {
                case .conv(let cin, let cout, let activation):
                    let o = offsets[i]!
                    activation.backward(g, output: pass.outputs[i], count: n * h * w * c)
                    Conv3x3.backward(dInput: i == 0 ? nil : gNext, dWeight: gradients + o.weight,
                                     dBias: gradients + o.bias, dOut: g, input: pass.input(of: i),
                                     weight: p + o.weight, n: n, h: hIn, w: wIn, cin: cin, cout: cout,
                                     workspace: pass.workspace)
                case .maxPool:
                    MaxPool2x2.backward(dInput: gNext, dOut: g, argmax: pass.argmax[i]!, n: n, h: hIn, w: wIn, c: cIn)
                case .upsample:
                    Upsample2x.backward(dInput: gNext, dOut: g, n: n, h: hIn, w: wIn, c: cIn)
                }
                swap(&g, &gNext)
                // Crossing from the decoder into the code: the code transform passes gradients unchanged.
                if i == architecture.codeLayer + 1, let codeGradient {
                    addInPlace(g, codeGradient, count: n * pass.codeCount)
                }
            }
        }
    }
}

/// Everything one forward pass over up to `capacity` tiles produces and its backward pass needs: the input,
/// each layer's output (after its activation), the max-pool argmax masks, gradient buffers and the conv
/// scratch. One per thread; reused from batch to batch so the hot path never allocates.
///
/// A tile is 28×28 unless the pass is made for another size: the network is fully convolutional, so a
/// pass of `height × width` (multiples of 4) runs it over that many pixels at once, with a code of
/// `height/4 × width/4 × codeChannels` (`WholePlaneNetwork` uses this for whole images).
public final class ForwardPass {
    public let capacity: Int
    /// The input's size: 28×28 for tiles.
    public let height: Int, width: Int
    /// Code values per input: (height/4)·(width/4)·codeChannels (7·7·codeChannels for tiles).
    public let codeCount: Int
    let shapes: [(h: Int, w: Int, c: Int)]
    let codeLayer: Int
    /// Input tiles [capacity, height, width, 1], values in [0, 1]. Fill the first n before `forward`.
    public let input: UnsafeMutablePointer<Float>
    /// The decoder's input [capacity, height/4, width/4, codeChannels]: the code after the code transform.
    public let decoderInput: UnsafeMutablePointer<Float>
    let outputs: [UnsafeMutablePointer<Float>]
    let argmax: [UnsafeMutablePointer<UInt8>?]
    /// ∂L/∂output [capacity, height, width, 1]: fill before `backward`. Overwritten by it.
    public let outputGradient: UnsafeMutablePointer<Float>
    let gradientScratch: UnsafeMutablePointer<Float>
    let workspace = Workspace()

    /// Whether this pass only runs forward (`inferenceOnly`): then the layers' outputs take turns in two
    /// buffers and there are no gradient buffers, about a tenth of a training pass's memory.
    public let inferenceOnly: Bool

    public init(architecture: Architecture, capacity: Int, height: Int = Architecture.tileSide,
                width: Int = Architecture.tileSide, inferenceOnly: Bool = false) {
        self.capacity = capacity
        self.height = height
        self.width = width
        self.inferenceOnly = inferenceOnly
        shapes = architecture.shapes(height: height, width: width)
        codeLayer = architecture.codeLayer
        codeCount = shapes[codeLayer].h * shapes[codeLayer].w * shapes[codeLayer].c
        let largest = shapes.map { $0.h * $0.w * $0.c }.max()! * capacity
        input = .allocate(capacity: capacity * height * width)
        decoderInput = .allocate(capacity: capacity * codeCount)
        if inferenceOnly {
            // Layer i reads layer i − 1's output and writes its own: two buffers in turn are enough.
            let turns: [UnsafeMutablePointer<Float>] = [.allocate(capacity: largest), .allocate(capacity: largest)]
            outputs = shapes.indices.map { turns[$0 % 2] }
        } else {
            outputs = shapes.map { .allocate(capacity: capacity * $0.h * $0.w * $0.c) }
        }
        argmax = zip(architecture.layers, shapes).map { layer, s in
            layer == .maxPool ? .allocate(capacity: capacity * s.h * s.w * s.c) : nil
        }
        outputGradient = .allocate(capacity: inferenceOnly ? 1 : largest)
        gradientScratch = .allocate(capacity: inferenceOnly ? 1 : largest)
    }

    deinit {
        input.deallocate(); decoderInput.deallocate(); outputGradient.deallocate(); gradientScratch.deallocate()
        if inferenceOnly {
            outputs[0].deallocate()
            if outputs.count > 1 { outputs[1].deallocate() }
        } else {
            outputs.forEach { $0.deallocate() }
        }
        argmax.forEach { $0?.deallocate() }
    }

    /// The code [capacity, height/4, width/4, codeChannels] (the code layer's sigmoid output, before any transform).
    public var code: UnsafeMutablePointer<Float> { outputs[codeLayer] }
    /// The reconstruction [capacity, height, width, 1].
    public var output: UnsafeMutablePointer<Float> { outputs[outputs.count - 1] }

    func input(of layer: Int) -> UnsafeMutablePointer<Float> {
        if layer == 0 { return input }
        if layer == codeLayer + 1 { return decoderInput }
        return outputs[layer - 1]
    }
}
