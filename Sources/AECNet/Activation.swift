import Foundation

/// The element-wise non-linearities after a convolution. Backward passes are written in terms of the
/// activation's *output* y, which is what the forward pass keeps: ReLU′ = [y > 0], σ′ = y(1 − y),
/// tanh′ = 1 − y².
public enum Activation: UInt8, Sendable, CaseIterable {
    case identity = 0
    case relu = 1
    case sigmoid = 2
    case tanh = 3

    /// y = f(x) in place over `count` values.
    public func forward(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity: break
        case .relu: for i in 0..<count { x[i] = max(x[i], 0) }
        case .sigmoid: for i in 0..<count { x[i] = 1 / (1 + Foundation.exp(-x[i])) }
        case .tanh: for i in 0..<count { x[i] = Foundation.tanh(x[i]) }
        }
    }

    /// dx = dy · f′(x), computed from the output y, in place over `count` values of `grad`.
    public func backward(_ grad: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, count: Int) {
        switch self {
        case .identity: break
        case .relu: for i in 0..<count where y[i] <= 0 { grad[i] = 0 }
        case .sigmoid: for i in 0..<count { grad[i] *= y[i] * (1 - y[i]) }
        case .tanh: for i in 0..<count { grad[i] *= 1 - y[i] * y[i] }
        }
    }
}
