/// The layer layout of the notes' convolutional autoencoder (§3.6; the table in DESIGN.md), with the
/// widths as parameters.
///
///     encoder  28×28×1 → conv w1, conv w1, pool → 14×14×w1
///                       → conv w2 ×3, pool      → 7×7×w2
///                       → conv w3 ×2, code conv (sigmoid) → 7×7×codeChannels
///     decoder           → conv w3 ×3, up        → 14×14×w3
///                       → conv w2 ×3, up        → 28×28×w2
///                       → conv w1, output conv (sigmoid) → 28×28×1
///
/// Every conv is 3×3 "same" with bias and ReLU, except the two marked sigmoid.
public struct Architecture: Equatable, Sendable, CustomStringConvertible {
    public enum Layer: Equatable, Sendable {
        case conv(cin: Int, cout: Int, activation: Activation)
        case maxPool
        case upsample
    }

    public let w1: Int, w2: Int, w3: Int, codeChannels: Int
    /// The layers in order; the code is the output of layer `codeLayer`.
    public let layers: [Layer]
    public let codeLayer: Int

    /// Side of the square tile the network codes.
    public static let tileSide = 28
    /// Side of the code grid (two 2×2 poolings).
    public static let codeSide = 7

    public init(w1: Int, w2: Int, w3: Int, codeChannels: Int = 1) {
        precondition(w1 > 0 && w2 > 0 && w3 > 0 && codeChannels > 0, "widths must be positive")
        self.w1 = w1; self.w2 = w2; self.w3 = w3; self.codeChannels = codeChannels
        let encoder: [Layer] = [
            .conv(cin: 1, cout: w1, activation: .relu), .conv(cin: w1, cout: w1, activation: .relu), .maxPool,
            .conv(cin: w1, cout: w2, activation: .relu), .conv(cin: w2, cout: w2, activation: .relu),
            .conv(cin: w2, cout: w2, activation: .relu), .maxPool,
            .conv(cin: w2, cout: w3, activation: .relu), .conv(cin: w3, cout: w3, activation: .relu),
            .conv(cin: w3, cout: codeChannels, activation: .sigmoid),
        ]
        let decoder: [Layer] = [
            .conv(cin: codeChannels, cout: w3, activation: .relu), .conv(cin: w3, cout: w3, activation: .relu),
            .conv(cin: w3, cout: w3, activation: .relu), .upsample,
            .conv(cin: w3, cout: w2, activation: .relu), .conv(cin: w2, cout: w2, activation: .relu),
            .conv(cin: w2, cout: w2, activation: .relu), .upsample,
            .conv(cin: w2, cout: w1, activation: .relu), .conv(cin: w1, cout: 1, activation: .sigmoid),
        ]
        layers = encoder + decoder
        codeLayer = encoder.count - 1
    }

    /// Number of code values per tile (7·7·codeChannels).
    public var codeCount: Int { Self.codeSide * Self.codeSide * codeChannels }

    /// Output shape (h, w, c) of every layer for a 28×28×1 input.
    public var shapes: [(h: Int, w: Int, c: Int)] { shapes(height: Self.tileSide, width: Self.tileSide) }

    /// How much both poolings shrink the input: a code value stands for a 4×4 block of pixels.
    public static let codeScale = 4

    /// Output shape (h, w, c) of every layer for a `height × width × 1` input; the network is fully
    /// convolutional, so any size that the poolings divide (multiples of 4) will do.
    public func shapes(height: Int, width: Int) -> [(h: Int, w: Int, c: Int)] {
        precondition(height > 0 && width > 0 && height % Self.codeScale == 0 && width % Self.codeScale == 0,
                     "the input must be a positive multiple of \(Self.codeScale) on each side, got \(height)×\(width)")
        var h = height, w = width, c = 1
        return layers.map { layer in
            switch layer {
            case .conv(_, let cout, _): c = cout
            case .maxPool: h /= 2; w /= 2
            case .upsample: h *= 2; w *= 2
            }
            return (h, w, c)
        }
    }

    /// The halo of the encoder, in code rows: to get code rows r0..<r1 of a plane exactly as the whole
    /// plane gives them, the encoder must see input rows from 4·(r0 − halo) to 4·(r1 + halo) (clamped to the
    /// plane). Where a band of rows stops short of the plane's edge, each 3×3 conv pads it with zeros
    /// instead of the true neighbours, and the error spreads one row per conv (at that conv's resolution,
    /// halved by each pooling, doubled by each upsampling); the halo is how far it gets.
    public var encoderHaloCodeRows: Int { Self.haloRows(layers[...codeLayer], outputScale: Self.codeScale) }

    /// The halo of the decoder, in code rows: output rows 4·r0 ..< 4·r1 need code rows from r0 − halo to
    /// r1 + halo (clamped).
    public var decoderHaloCodeRows: Int { Self.haloRows(layers[(codeLayer + 1)...], outputScale: 1) }

    /// How many rows at the end of `layers` differ from the whole plane's when the input band is cut
    /// short, converted to code rows; `outputScale` is the size of one output row in pixels.
    private static func haloRows(_ layers: ArraySlice<Layer>, outputScale: Int) -> Int {
        var wrong = 0  // rows at the band's edge that differ, at the current resolution
        for layer in layers {
            switch layer {
            case .conv: wrong += 1
            case .maxPool: wrong = (wrong + 1) / 2  // bands start on even rows: pairs never straddle the edge
            case .upsample: wrong *= 2
            }
        }
        return (wrong * outputScale + codeScale - 1) / codeScale
    }

    /// Where each conv layer's weight [3, 3, cin, cout] and bias [cout] start in the flat parameter
    /// vector (nil for layers without parameters), and the vector's length.
    public var parameterLayout: (offsets: [(weight: Int, bias: Int)?], count: Int) {
        var offsets: [(weight: Int, bias: Int)?] = []
        var next = 0
        for layer in layers {
            if case .conv(let cin, let cout, _) = layer {
                offsets.append((next, next + 9 * cin * cout))
                next += 9 * cin * cout + cout
            } else {
                offsets.append(nil)
            }
        }
        return (offsets, next)
    }

    /// Multiply–accumulates of one forward pass over one tile.
    public var macsPerTile: Int {
        zip(layers, shapes).reduce(0) { total, pair in
            if case .conv(let cin, let cout, _) = pair.0 { return total + pair.1.h * pair.1.w * 9 * cin * cout }
            return total
        }
    }

    public var description: String {
        codeChannels == 1 ? "\(w1)/\(w2)/\(w3)" : "\(w1)/\(w2)/\(w3)×\(codeChannels)"
    }
}
