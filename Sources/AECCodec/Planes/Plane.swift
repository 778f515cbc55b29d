/// One channel of an image as floats in [0, 1] (sample / 255), row-major.
public struct Plane: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "Plane: \(values.count) values for \(width)×\(height)")
        self.width = width; self.height = height; self.values = values
    }

    public init(width: Int, height: Int, repeating value: Float = 0) {
        self.init(width: width, height: height, values: [Float](repeating: value, count: width * height))
    }

    public subscript(x: Int, y: Int) -> Float {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }

    /// The plane at half resolution (⌈w/2⌉ × ⌈h/2⌉), each value the mean of its 2×2 block (edge blocks
    /// average the pixels they have).
    public func halved() -> Plane {
        let w2 = (width + 1) / 2, h2 = (height + 1) / 2
        var out = Plane(width: w2, height: h2)
        for y in 0..<h2 {
            for x in 0..<w2 {
                var sum: Float = 0, n: Float = 0
                for dy in 0..<2 where 2 * y + dy < height {
                    for dx in 0..<2 where 2 * x + dx < width { sum += self[2 * x + dx, 2 * y + dy]; n += 1 }
                }
                out[x, y] = sum / n
            }
        }
        return out
    }

    /// The plane at double resolution, cropped to `width` × `height` (nearest neighbour).
    public func doubled(width w: Int, height h: Int) -> Plane {
        var out = Plane(width: w, height: h)
        for y in 0..<h { for x in 0..<w { out[x, y] = self[min(x / 2, width - 1), min(y / 2, height - 1)] } }
        return out
    }
}
