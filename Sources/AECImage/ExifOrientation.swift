/// The orientation a JPEG's Exif block gives (TIFF tag 0x0112), and turning an image upright by it.
///
/// Cameras store the sensor's pixels as they were read and record how to turn them: 1 upright, 2 mirrored,
/// 3 upside down, 4 flipped vertically, 5 transposed, 6 turned 90° clockwise to view, 7 transversed,
/// 8 turned 90° counter-clockwise to view. Viewers apply it, so the encoder does too.
public enum ExifOrientation {
    /// The orientation (1…8) in the Exif APP1 segment of a JPEG, or nil when there is none (or it is
    /// malformed: then the image is taken as stored).
    public static func of(jpeg bytes: [UInt8]) -> Int? {
        var found: Int? = nil
        JPEGSegments.forEach(in: bytes) { marker, payload in
            if marker == 0xE1 { found = orientation(inExif: payload) }
            return found == nil
        }
        return found
    }

    /// The orientation in an APP1 payload: "Exif\0\0", a TIFF header (II or MM), IFD0's entries.
    static func orientation(inExif segment: ArraySlice<UInt8>) -> Int? {
        let s = Array(segment)
        guard s.count >= 14, Array(s[0..<6]) == Array("Exif".utf8) + [0, 0] else { return nil }
        let tiff = 6
        let little: Bool
        switch (s[tiff], s[tiff + 1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= s.count else { return nil }
            return little ? Int(s[o]) | Int(s[o + 1]) << 8 : Int(s[o]) << 8 | Int(s[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let a = u16(o), let b = u16(o + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard let ifd = u32(tiff + 4), let entries = u16(tiff + ifd) else { return nil }
        for e in 0..<entries {
            let entry = tiff + ifd + 2 + 12 * e
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112, let type = u16(entry + 2), type == 3, let value = u16(entry + 8), (1...8).contains(value) {
                return value
            }
        }
        return nil
    }
}

extension Image {
    /// The image turned upright for Exif orientation `orientation` (1…8; 1 and unknown values change nothing).
    public func oriented(_ orientation: Int) -> Image {
        guard (2...8).contains(orientation) else { return self }
        let swaps = orientation >= 5  // 5…8 exchange width and height
        let w = swaps ? height : width, h = swaps ? width : height
        var out = [UInt8](repeating: 0, count: samples.count)
        for y in 0..<h {
            for x in 0..<w {
                // The stored pixel (sx, sy) that shows at (x, y) upright.
                let (sx, sy): (Int, Int)
                switch orientation {
                case 2: (sx, sy) = (width - 1 - x, y)
                case 3: (sx, sy) = (width - 1 - x, height - 1 - y)
                case 4: (sx, sy) = (x, height - 1 - y)
                case 5: (sx, sy) = (y, x)
                case 6: (sx, sy) = (y, height - 1 - x)
                case 7: (sx, sy) = (width - 1 - y, height - 1 - x)
                default: (sx, sy) = (width - 1 - y, x)  // 8
                }
                let from = (sy * width + sx) * channels, to = (y * w + x) * channels
                for c in 0..<channels { out[to + c] = samples[from + c] }
            }
        }
        return Image(width: w, height: h, channels: channels, samples: out)
    }
}
