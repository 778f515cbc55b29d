/// 2×2 max-pooling (stride 2) and its inverse-shaped partner, nearest-neighbour 2× upsampling.
/// Channels-last; h and w of the pooled input must be even.
public enum MaxPool2x2 {
    /// out[b, y, x, c] = max of in[b, 2y+dy, 2x+dx, c] over the 2×2 window; `argmax` keeps which of the
    /// four won (dy·2 + dx, first maximum on ties) for the backward pass.
    ///
    ///     in [n, h, w, c]  →  out, argmax [n, h/2, w/2, c]
    public static func forward(out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<UInt8>,
                               input: UnsafePointer<Float>, n: Int, h: Int, w: Int, c: Int) {
        let ho = h / 2, wo = w / 2
        for b in 0..<n { for y in 0..<ho { for x in 0..<wo {
            let o = ((b * ho + y) * wo + x) * c
            let i00 = ((b * h + 2 * y) * w + 2 * x) * c, i01 = i00 + c
            let i10 = i00 + w * c, i11 = i10 + c
            for ch in 0..<c {
                var best = input[i00 + ch], which: UInt8 = 0
                if input[i01 + ch] > best { best = input[i01 + ch]; which = 1 }
                if input[i10 + ch] > best { best = input[i10 + ch]; which = 2 }
                if input[i11 + ch] > best { best = input[i11 + ch]; which = 3 }
                out[o + ch] = best
                argmax[o + ch] = which
            }
        } } }
    }

    /// Writes dIn: each output gradient goes to the input position that won; the other three get 0.
    public static func backward(dInput: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>,
                                argmax: UnsafePointer<UInt8>, n: Int, h: Int, w: Int, c: Int) {
        let ho = h / 2, wo = w / 2
        dInput.update(repeating: 0, count: n * h * w * c)
        for b in 0..<n { for y in 0..<ho { for x in 0..<wo {
            let o = ((b * ho + y) * wo + x) * c
            let i00 = ((b * h + 2 * y) * w + 2 * x) * c
            for ch in 0..<c {
                let which = Int(argmax[o + ch])
                dInput[i00 + (which >> 1) * w * c + (which & 1) * c + ch] = dOut[o + ch]
            }
        } } }
    }
}

public enum Upsample2x {
    /// out[b, y, x, c] = in[b, y/2, x/2, c].     in [n, h, w, c]  →  out [n, 2h, 2w, c]
    public static func forward(out: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
                               n: Int, h: Int, w: Int, c: Int) {
        let wo = 2 * w
        for b in 0..<n { for y in 0..<h { for x in 0..<w {
            let src = input + ((b * h + y) * w + x) * c
            let top = out + ((b * 2 * h + 2 * y) * wo + 2 * x) * c
            top.update(from: src, count: c); (top + c).update(from: src, count: c)
            (top + wo * c).update(from: src, count: c); (top + wo * c + c).update(from: src, count: c)
        } } }
    }

    /// Writes dIn: each input pixel's gradient is the sum of its four copies' gradients.
    public static func backward(dInput: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>,
                                n: Int, h: Int, w: Int, c: Int) {
        let wo = 2 * w
        for b in 0..<n { for y in 0..<h { for x in 0..<w {
            let dst = dInput + ((b * h + y) * w + x) * c
            let top = dOut + ((b * 2 * h + 2 * y) * wo + 2 * x) * c
            for ch in 0..<c { dst[ch] = top[ch] + top[c + ch] + top[wo * c + ch] + top[wo * c + c + ch] }
        } } }
    }
}
