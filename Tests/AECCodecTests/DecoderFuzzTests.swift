@testable import AECCodec
import AECBase
import AECImage
import AECNet
import Foundation
import XCTest

/// Random mutations of valid `.aec` files must give an error or an image, never a crash or a hang.
///
/// Half of the mutants get their CRC recomputed after mutation, so that the damage reaches the header
/// parser, the range decoder and the network instead of stopping at the checksum. The default run is
/// short; `AEC_FUZZ_ITERATIONS=N swift test -c release --filter DecoderFuzzTests` runs a long one by hand
/// (Docs/TOOLS.md records the count it survived).
final class DecoderFuzzTests: XCTestCase {
    func testMutatedFilesNeverCrash() throws {
        let iterations = Int(ProcessInfo.processInfo.environment["AEC_FUZZ_ITERATIONS"] ?? "") ?? 1500
        let codec = Codec(model: TestModels.tiny)
        var seeds: [[UInt8]] = []
        for (w, h, c, bits, half) in [(28, 28, 1, 6, false), (40, 30, 4, 4, false), (61, 45, 3, 8, true), (1, 1, 2, 2, false)] {
            var options = EncodeOptions()
            options.bits = bits
            options.halfResolutionChroma = half
            let v2 = try codec.encode(TestModels.image(width: w, height: h, channels: c), options: options).bytes
            seeds += [v2, CodecTests.versionOne(of: v2)]  // both format versions' parsers
        }
        var rng = SplitMix64(seed: 2024)
        var decoded = 0, rejected = 0
        for i in 0..<iterations {
            var bytes = seeds[i % seeds.count]
            mutate(&bytes, rng: &rng)
            if rng.next(below: 2) == 0 && bytes.count >= 4 {
                let body = bytes.dropLast(4)
                bytes = Array(body)
                bytes.appendLE(CRC32.checksum(body))
            }
            // A small pixel cap keeps a mutated size field from making one iteration slow.
            do { _ = try codec.decode(bytes, maxPixels: 1 << 16); decoded += 1 } catch { rejected += 1 }
        }
        XCTAssertEqual(decoded + rejected, iterations)
        XCTAssertGreaterThan(rejected, 0)
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
