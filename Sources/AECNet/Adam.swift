import Foundation

/// Adam (Kingma & Ba 2015) over a flat parameter vector, with bias correction.
public struct Adam: Sendable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// First and second moment estimates, one per parameter.
    public internal(set) var m: [Float]
    public internal(set) var v: [Float]
    /// Steps taken so far.
    public internal(set) var step: Int = 0

    public init(parameterCount: Int) {
        m = [Float](repeating: 0, count: parameterCount)
        v = [Float](repeating: 0, count: parameterCount)
    }

    /// Restores a saved state (see `Checkpoint`).
    public init(m: [Float], v: [Float], step: Int) {
        precondition(m.count == v.count)
        self.m = m; self.v = v; self.step = step
    }

    /// θ ← θ − lr · m̂ / (√v̂ + ε).
    public mutating func update(parameters: inout [Float], gradients: [Float], learningRate: Float) {
        precondition(parameters.count == m.count && gradients.count == m.count)
        step += 1
        let c1 = 1 - Float(pow(Double(beta1), Double(step)))
        let c2 = 1 - Float(pow(Double(beta2), Double(step)))
        let b1 = beta1, b2 = beta2, eps = epsilon
        let stepSize = learningRate / c1, rootC2 = c2.squareRoot()
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                parameters.withUnsafeMutableBufferPointer { p in
                    gradients.withUnsafeBufferPointer { g in
                        for i in 0..<p.count {
                            m[i] = b1 * m[i] + (1 - b1) * g[i]
                            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                            p[i] -= stepSize * m[i] / (v[i].squareRoot() / rootC2 + eps)
                        }
                    }
                }
            }
        }
    }
}

/// The learning rate as a function of the optimizer step.
public enum LearningRateSchedule: Equatable, Sendable {
    case constant(Float)
    /// Linear warm-up over `warmup` steps, then cosine decay from `peak` to `peak · floor` at `total`.
    case cosine(peak: Float, warmup: Int, total: Int, floor: Float)

    public func rate(at step: Int) -> Float {
        switch self {
        case .constant(let lr):
            return lr
        case .cosine(let peak, let warmup, let total, let floor):
            if step < warmup { return peak * Float(step + 1) / Float(warmup) }
            let t = min(1, Double(step - warmup) / Double(max(1, total - warmup)))
            return peak * (floor + (1 - floor) * Float(0.5 * (1 + cos(Double.pi * t))))
        }
    }
}
