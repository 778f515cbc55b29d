/// A dense batch of images, float32, **channels-last**: element (b, y, x, c) of an N×H×W×C tensor is at
/// `((b·H + y)·W + x)·C + c`.
///
/// Channels-last makes a 3×3 convolution one matrix multiply with the pixels as rows:
/// `out[N·H·W × Cout] = im2col(in)[N·H·W × 9·Cin] · W[9·Cin × Cout]`, and im2col copies runs of `C`
/// contiguous floats. The layer functions in this module work on raw pointers into such buffers; `Tensor`
/// is the safe value type around them for the public API and the tests.
public struct Tensor: Equatable, Sendable {
    public var n: Int, h: Int, w: Int, c: Int
    public var data: [Float]

    public init(n: Int, h: Int, w: Int, c: Int, data: [Float]) {
        precondition(data.count == n * h * w * c, "Tensor: \(data.count) values for shape \(n)×\(h)×\(w)×\(c)")
        self.n = n; self.h = h; self.w = w; self.c = c; self.data = data
    }

    public init(n: Int, h: Int, w: Int, c: Int, repeating value: Float = 0) {
        self.init(n: n, h: h, w: w, c: c, data: [Float](repeating: value, count: n * h * w * c))
    }

    public var count: Int { data.count }

    public subscript(b: Int, y: Int, x: Int, ch: Int) -> Float {
        get { data[((b * h + y) * w + x) * c + ch] }
        set { data[((b * h + y) * w + x) * c + ch] = newValue }
    }
}
