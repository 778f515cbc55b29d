import AECImage

/// One plane the encoder codes (gray, Y, Cb or Cr, chroma at full or half resolution), computed from the
/// image a band of rows at a time, so that encoding never holds a whole plane of floats.
///
/// The values are exactly those of `ColorTransform.ycbcrPlanes` (and `Plane.halved` for 4:2:0): the same
/// per-pixel arithmetic, in the same order.
struct PlaneSource {
    enum Channel { case gray, y, cb, cr }

    let image: Image
    let channel: Channel
    /// Chroma at half resolution in each direction (⌈w/2⌉ × ⌈h/2⌉).
    let halved: Bool

    var width: Int { halved ? (image.width + 1) / 2 : image.width }
    var height: Int { halved ? (image.height + 1) / 2 : image.height }

    /// The planes of `image` in payload order: gray alone, or Y, Cb, Cr.
    static func planes(of image: Image, gray: Bool, halfResolutionChroma: Bool) -> [PlaneSource] {
        if gray { return [PlaneSource(image: image, channel: .gray, halved: false)] }
        return [PlaneSource(image: image, channel: .y, halved: false),
                PlaneSource(image: image, channel: .cb, halved: halfResolutionChroma),
                PlaneSource(image: image, channel: .cr, halved: halfResolutionChroma)]
    }

    /// Rows `rows` of the plane, as a plane `width` × `rows.count`.
    func rows(_ rows: Range<Int>) -> Plane {
        guard halved else { return fullResolution(rows) }
        // Rows 2·first ..< 2·end of the full plane, halved: the band starts on an even row, so its 2×2 blocks
        // are the whole plane's.
        return fullResolution(2 * rows.lowerBound ..< min(2 * rows.upperBound, image.height)).halved()
    }

    private func fullResolution(_ rows: Range<Int>) -> Plane {
        let w = image.width, c = image.channels
        var band = Plane(width: w, height: rows.count)
        image.samples.withUnsafeBufferPointer { s in
            for y in rows {
                for x in 0..<w {
                    let i = (y * w + x) * c
                    let value: Float
                    switch channel {
                    case .gray: value = Float(s[i]) / 255
                    case .y: value = ColorTransform.ycbcr(r: Float(s[i]), g: Float(s[i + 1]), b: Float(s[i + 2])).y
                    case .cb: value = ColorTransform.ycbcr(r: Float(s[i]), g: Float(s[i + 1]), b: Float(s[i + 2])).cb
                    case .cr: value = ColorTransform.ycbcr(r: Float(s[i]), g: Float(s[i + 1]), b: Float(s[i + 2])).cr
                    }
                    band.values[(y - rows.lowerBound) * w + x] = value
                }
            }
        }
        return band
    }
}
