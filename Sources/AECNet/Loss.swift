/// Mean squared error, the notes' loss: L = (1/count) · Σ (pred − target)².
public enum MSELoss {
    /// Σ (pred − target)² over `count` values, in Double (divide by the element count for the mean).
    public static func sumOfSquares(pred: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int) -> Double {
        var sum = 0.0
        for i in 0..<count { let d = Double(pred[i] - target[i]); sum += d * d }
        return sum
    }

    /// dPred = scale · 2 · (pred − target). With scale = 1/N, this is ∂L/∂pred of the mean over N values,
    /// N being the whole mini-batch's pixel count even when this call sees only part of it.
    public static func backward(dPred: UnsafeMutablePointer<Float>, pred: UnsafePointer<Float>,
                                target: UnsafePointer<Float>, count: Int, scale: Float) {
        let s = 2 * scale
        for i in 0..<count { dPred[i] = s * (pred[i] - target[i]) }
    }
}
