import AECNet

/// Cuts a plane into the network's 28×28 tiles and puts decoded tiles back.
///
/// A w×h plane is padded to ⌈w/28⌉·28 × ⌈h/28⌉·28 by repeating its last column and row (edge
/// replication, which costs the network fewer bits than zeros), and cut into tiles in raster order.
public enum Tiling {
    public static let side = Architecture.tileSide

    /// Tiles across and down for a w×h plane.
    public static func grid(width: Int, height: Int) -> (columns: Int, rows: Int) {
        ((width + side - 1) / side, (height + side - 1) / side)
    }

    /// The tiles of `plane`, [tiles × 28 × 28] row-major, in raster order.
    public static func tiles(of plane: Plane) -> [Float] {
        let (columns, rows) = grid(width: plane.width, height: plane.height)
        var out = [Float](repeating: 0, count: columns * rows * side * side)
        for ty in 0..<rows {
            for tx in 0..<columns {
                let base = (ty * columns + tx) * side * side
                for y in 0..<side {
                    let sy = min(ty * side + y, plane.height - 1)
                    for x in 0..<side {
                        let sx = min(tx * side + x, plane.width - 1)
                        out[base + y * side + x] = plane.values[sy * plane.width + sx]
                    }
                }
            }
        }
        return out
    }

    /// The w×h plane whose tiles (as `tiles(of:)` cut them) are `tiles`; the padding is cropped away.
    public static func plane(fromTiles tiles: [Float], width: Int, height: Int) -> Plane {
        let (columns, _) = grid(width: width, height: height)
        var plane = Plane(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let t = (y / side) * columns + x / side
                plane.values[y * width + x] = tiles[t * side * side + (y % side) * side + x % side]
            }
        }
        return plane
    }
}
