import AECBase
import AECImage

/// Synthetic images for tests.
public enum SyntheticImages {
    /// A smooth image: gradients and a disc, `channels` 1…4 (alpha varies when present, so it is stored).
    public static func smooth(width: Int, height: Int, channels: Int) -> Image {
        var samples: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let disc = (x - width / 2) * (x - width / 2) + (y - height / 2) * (y - height / 2) < width * height / 8
                let v = UInt8(min(255, x * 255 / max(1, width - 1) / 2 + (disc ? 100 : 20)))
                let pixel: [UInt8] = [v, UInt8(y * 255 / max(1, height - 1)), UInt8((x + y) % 256), UInt8((x * 7 + y) % 256)]
                switch channels {
                case 1: samples.append(v)
                case 2: samples += [v, pixel[3]]
                case 3: samples += pixel[0..<3]
                default: samples += pixel
                }
            }
        }
        return Image(width: width, height: height, channels: channels, samples: samples)
    }

    /// Uniform random samples from a generator seeded with `seed`.
    public static func random(width: Int, height: Int, channels: Int, seed: UInt64) -> Image {
        var rng = SplitMix64(seed: seed)
        return Image(width: width, height: height, channels: channels,
                     samples: (0..<(width * height * channels)).map { _ in UInt8(rng.next(below: 256)) })
    }
}
