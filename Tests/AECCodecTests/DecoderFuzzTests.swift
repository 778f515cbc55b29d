@testable import AECCodec
import AECBase
import AECImage
import AECNet
import AECTestSupport
import Foundation
import XCTest

/// Random mutations of valid `.aec` files must give an error or an image, never a crash or a hang.
///
/// Seeds: files of the tiny test model in every format version (4 with metadata, 5 whole images), flat tiles, and files of every shipped
/// model. Half of the mutants get their CRC recomputed after mutation, so that the damage reaches the header
/// parser, the range decoder and the network instead of stopping at the checksum; a quarter declare a large
/// image (up to 100,000 pixels on a side) and are decoded under the default pixel limit, so the payload
/// checks must refuse them cheaply. The default run is
/// short; `AEC_FUZZ_ITERATIONS=N swift test -c release --filter DecoderFuzzTests` runs a long one by hand
/// (Docs/TOOLS.md records the count it survived).
final class DecoderFuzzTests: XCTestCase {
    func testMutatedFilesNeverCrash() throws {
        let iterations = Int(ProcessInfo.processInfo.environment["AEC_FUZZ_ITERATIONS"] ?? "") ?? 1500
        let codec = Codec(model: TestModels.tiny)
        var seeds: [(Codec, [UInt8])] = []
        for (w, h, c, bits, half) in [(28, 28, 1, 6, false), (40, 30, 4, 4, false), (61, 45, 3, 8, true), (1, 1, 2, 2, false)] {
            var options = EncodeOptions()
            options.bits = bits
            options.halfResolutionChroma = half
            let image = TestModels.image(width: w, height: h, channels: c)
            let v3 = try codec.encode(image, options: options).bytes
            options.formatVersion = 2
            let v2 = try codec.encode(image, options: options).bytes
            seeds += [v3, v2, CodecTests.versionOne(of: v2)].map { (codec, $0) }  // every format version's parser
        }
        // Version 5: whole images (gray, 4:2:0 with alpha, a flat plane).
        for (w, h, c) in [(45, 33, 1), (37, 29, 4)] {
            var options = EncodeOptions()
            options.wholeImage = true
            options.halfResolutionChroma = c > 1
            seeds.append((codec, try codec.encode(TestModels.image(width: w, height: h, channels: c), options: options).bytes))
        }
        // Version 4: metadata blocks, with and without alpha.
        for channels in [1, 4] {
            var options = EncodeOptions()
            options.metadata = SyntheticMetadata.sample
            seeds.append((codec, try codec.encode(TestModels.image(width: 30, height: 20, channels: channels), options: options).bytes))
        }
        // Flat tiles (version 3's exact path) next to network tiles.
        var halfFlat = [UInt8](repeating: 200, count: 56 * 28)
        for y in 0..<28 { for x in 28..<56 { halfFlat[y * 56 + x] = UInt8(x * 3) } }
        seeds.append((codec, try codec.encode(Image(width: 56, height: 28, channels: 1, samples: halfFlat)).bytes))
        // Files of every shipped model (their tables, code sizes and layouts), at their lowest and highest bits.
        for (_, model) in ShippedModels.all() {
            let shipped = Codec(model: model)
            for bits in [model.availableBits.first!, model.availableBits.last!] {
                var options = EncodeOptions()
                options.bits = bits
                seeds.append((shipped, try shipped.encode(TestModels.image(width: 30, height: 29, channels: 3), options: options).bytes))
            }
        }
        var rng = SplitMix64(seed: 2024)
        var decoded = 0, rejected = 0
        for i in 0..<iterations {
            var (seedCodec, bytes) = seeds[i % seeds.count]
            mutate(&bytes, rng: &rng)
            // One mutant in four declares a large image: 1,000 to 100,000 pixels on a side.
            if rng.next(below: 4) == 0 && bytes.count > 12 { declareLargeSize(&bytes, rng: &rng) }
            if rng.next(below: 2) == 0 && bytes.count >= 4 {
                let body = bytes.dropLast(4)
                bytes = Array(body)
                bytes.appendLE(CRC32.checksum(body))
            }
            // The default pixel limit: a large declared size must be refused by the payload checks, not
            // by a small cap.
            do { _ = try seedCodec.decode(bytes); decoded += 1 } catch { rejected += 1 }
        }
        XCTAssertEqual(decoded + rejected, iterations)
        XCTAssertGreaterThan(rejected, 0)
    }

    /// Rewrites the width and height fields of a version-2/3/4 header (after the 6 fixed bytes, 7 in
    /// version 4) as large LEB128 values, keeping what follows.
    func declareLargeSize(_ bytes: inout [UInt8], rng: inout SplitMix64) {
        guard bytes[2] >> 6 != 0 else { return }  // version 1: leave its header to the plain mutations
        let fixed = bytes[2] >> 6 == 3 ? 7 : 6
        var r = fixed
        for _ in 0..<2 { while r < bytes.count && bytes[r] & 0x80 != 0 { r += 1 }; r += 1 }
        guard r <= bytes.count else { return }
        var header = Array(bytes[0..<fixed])
        for _ in 0..<2 {
            var v = 1000 + rng.next(below: 99_000)
            while v >= 0x80 { header.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            header.append(UInt8(v))
        }
        bytes = header + bytes[r...]
    }

    /// One to three random edits: flip a bit, overwrite a byte, insert or delete bytes, truncate, or
    /// duplicate a run.
    func mutate(_ bytes: inout [UInt8], rng: inout SplitMix64) {
        for _ in 0...rng.next(below: 3) {
            guard !bytes.isEmpty else { bytes = [UInt8(rng.next(below: 256))]; continue }
            let at = rng.next(below: bytes.count)
            switch rng.next(below: 6) {
            case 0: bytes[at] ^= 1 << UInt8(rng.next(below: 8))
            case 1: bytes[at] = UInt8(rng.next(below: 256))
            case 2: bytes.insert(contentsOf: (0...rng.next(below: 4)).map { _ in UInt8(rng.next(below: 256)) }, at: at)
            case 3: bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.next(below: 4)))
            case 4: bytes.removeSubrange(at...)
            default:
                let end = min(bytes.count, at + 1 + rng.next(below: 8))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            }
        }
    }
}
