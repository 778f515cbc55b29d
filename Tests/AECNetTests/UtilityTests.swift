import AECBase
import Foundation
import XCTest
@testable import AECNet

/// CRC-32, SplitMix64, Adam and the learning-rate schedule, Parallel, Architecture, He initialisation,
/// Workspace, CodeQuantizer.
final class UtilityTests: XCTestCase {
    // MARK: CRC-32

    func testCRC32CheckValue() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
    }

    func testCRC32Continues() {
        let a = Array("12345".utf8), b = Array("6789".utf8)
        XCTAssertEqual(CRC32.checksum(b, continuing: CRC32.checksum(a)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)[2...]), CRC32.checksum(Array("3456789".utf8)), "slices")
    }

    /// Contiguous storage takes a buffer loop, other collections the generic one: the same CRC.
    func testCRC32OfNonContiguousCollections() {
        XCTAssertEqual(CRC32.checksum("123456789".utf8), 0xCBF4_3926, "String.UTF8View")
        var rng = SplitMix64(seed: 3)
        let bytes = (0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        XCTAssertEqual(CRC32.checksum(bytes.lazy.map { $0 }), CRC32.checksum(bytes))
        XCTAssertEqual(CRC32.checksum(bytes.reversed()), CRC32.checksum(Array(bytes.reversed())))
    }

    // MARK: SplitMix64

    func testSplitMix64ReferenceValues() {
        // The reference SplitMix64 (Vigna's splitmix64.c) from state 0.
        var r = SplitMix64(seed: 0)
        XCTAssertEqual(r.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(r.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(r.next(), 0x06C4_5D18_8009_454F)
    }

    func testSplitMix64IsDeterministic() {
        var a = SplitMix64(seed: 42, stream: 3, 7), b = SplitMix64(seed: 42, stream: 3, 7)
        for _ in 0..<100 { XCTAssertEqual(a.next(), b.next()) }
        var c = SplitMix64(seed: 42, stream: 3, 7), d = SplitMix64(seed: 42, stream: 3, 7)
        for _ in 0..<100 { XCTAssertEqual(c.nextGaussian().bitPattern, d.nextGaussian().bitPattern) }
    }

    /// Different seeds and streams give unrelated sequences: no shared values in the first 1000 draws, and
    /// the unit floats of two streams uncorrelated (|r| < 0.05 over 4000 pairs; 0.016 is one sigma).
    func testSplitMix64StreamsAreIndependent() {
        let generators = [SplitMix64(seed: 1), SplitMix64(seed: 2), SplitMix64(seed: 1, stream: 0),
                          SplitMix64(seed: 1, stream: 1), SplitMix64(seed: 1, stream: 2), SplitMix64(seed: 2, stream: 1),
                          SplitMix64(seed: 1, stream: 1, 2), SplitMix64(seed: 1, stream: 2, 1)]
        var sets: [Set<UInt64>] = []
        for var g in generators { sets.append(Set((0..<1000).map { _ in g.next() })) }
        for i in sets.indices {
            XCTAssertEqual(sets[i].count, 1000)
            for j in sets.indices where j > i {
                XCTAssertTrue(sets[i].isDisjoint(with: sets[j]), "generators \(i) and \(j) share values")
            }
        }
        var s1 = SplitMix64(seed: 9, stream: 1), s2 = SplitMix64(seed: 9, stream: 2)
        let n = 4000
        let x = (0..<n).map { _ in Double(s1.nextUnitFloat()) }, y = (0..<n).map { _ in Double(s2.nextUnitFloat()) }
        let mx = x.reduce(0, +) / Double(n), my = y.reduce(0, +) / Double(n)
        let cov = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let vx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }, vy = y.reduce(0) { $0 + ($1 - my) * ($1 - my) }
        XCTAssertLessThan(abs(cov / (vx * vy).squareRoot()), 0.05)
    }

    func testSplitMix64Distributions() {
        var r = SplitMix64(seed: 5)
        let n = 20000
        let u = (0..<n).map { _ in r.nextUnitFloat() }
        XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(Double(u.reduce(0, +)) / Double(n), 0.5, accuracy: 0.01)   // σ of the mean: 0.002
        let g = (0..<n).map { _ in Double(r.nextGaussian()) }
        let mean = g.reduce(0, +) / Double(n)
        let std = (g.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.03)                                     // σ of the mean: 0.007
        XCTAssertEqual(std, 1, accuracy: 0.03)
        XCTAssertTrue(g.allSatisfy { $0.isFinite })
        XCTAssertEqual(Double(g.filter { abs($0) < 1 }.count) / Double(n), 0.6827, accuracy: 0.02)
    }

    /// `next(below:)`: in range, reproducible, and every value of a small range about equally often.
    func testSplitMix64NextBelow() {
        var a = SplitMix64(seed: 11), b = SplitMix64(seed: 11)
        XCTAssertEqual((0..<50).map { _ in a.next(below: 1000) }, (0..<50).map { _ in b.next(below: 1000) })
        var r = SplitMix64(seed: 12)
        XCTAssertTrue((0..<100).allSatisfy { _ in r.next(below: 1) == 0 })
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<7000 { counts[r.next(below: 7)] += 1 }
        XCTAssertTrue(counts.allSatisfy { abs($0 - 1000) < 150 }, "\(counts)")     // σ ≈ 29
        XCTAssertTrue((0..<1000).allSatisfy { _ in (0..<Int.max).contains(r.next(below: .max)) })
    }

    // MARK: Adam and the schedule

    /// Two Adam steps against the textbook formulas, computed here in Double.
    func testAdamStepsByHand() {
        var params: [Float] = [1, -2, 0.5, 3]
        let grads1: [Float] = [0.1, -0.3, 0, 2], grads2: [Float] = [-0.2, -0.1, 0.5, 2]
        let lr: Float = 0.01
        var adam = Adam(parameterCount: 4)
        var p = params.map(Double.init), m = [Double](repeating: 0, count: 4), v = m
        for (t, g) in [grads1, grads2].enumerated() {
            adam.update(parameters: &params, gradients: g, learningRate: lr)
            let step = Double(t + 1)
            for i in 0..<4 {
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                let mHat = m[i] / (1 - pow(0.9, step)), vHat = v[i] / (1 - pow(0.999, step))
                p[i] -= Double(lr) * mHat / (vHat.squareRoot() + 1e-8)
            }
            for i in 0..<4 {
                XCTAssertEqual(Double(params[i]), p[i], accuracy: 1e-6, "step \(t + 1), parameter \(i)")
                XCTAssertEqual(Double(adam.m[i]), m[i], accuracy: 1e-7)
                // 1 − β₂ in Float is 0.00099998713: v differs from the Double one by 1.3e-5 relative.
                XCTAssertEqual(Double(adam.v[i]), v[i], accuracy: 3e-5 * v[i] + 1e-12)
            }
        }
        XCTAssertEqual(adam.step, 2)
        // After the first step, every parameter with a nonzero gradient moved by lr against its sign.
        var q: [Float] = [0, 0]
        var fresh = Adam(parameterCount: 2)
        fresh.update(parameters: &q, gradients: [5, -1e-3], learningRate: 0.1)
        XCTAssertEqual(q[0], -0.1, accuracy: 1e-6)
        XCTAssertEqual(q[1], 0.1, accuracy: 1e-4)
    }

    func testAdamRestoredStateContinues() {
        var a = Adam(parameterCount: 3)
        var p1: [Float] = [1, 2, 3]
        a.update(parameters: &p1, gradients: [0.5, -0.5, 1], learningRate: 0.1)
        var b = Adam(m: a.m, v: a.v, step: a.step)
        var p2 = p1
        a.update(parameters: &p1, gradients: [1, 1, -1], learningRate: 0.1)
        b.update(parameters: &p2, gradients: [1, 1, -1], learningRate: 0.1)
        XCTAssertEqual(p1, p2)
        XCTAssertEqual(b.step, 2)
    }

    func testLearningRateSchedule() {
        XCTAssertEqual(LearningRateSchedule.constant(0.25).rate(at: 0), 0.25)
        XCTAssertEqual(LearningRateSchedule.constant(0.25).rate(at: 1_000_000), 0.25)
        let peak: Float = 1e-3
        let s = LearningRateSchedule.cosine(peak: peak, warmup: 10, total: 110, floor: 0.1)
        // Linear warm-up: (step + 1)/warmup of the peak, reaching it at the last warm-up step.
        XCTAssertEqual(s.rate(at: 0), peak / 10, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 4), peak / 2, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 9), peak, accuracy: 1e-9)
        // Cosine: the peak at the end of warm-up, halfway between peak and floor at the middle, the floor at
        // `total` and after.
        XCTAssertEqual(s.rate(at: 10), peak, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 60), peak * 0.55, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 110), peak * 0.1, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 10_000), peak * 0.1, accuracy: 1e-9)
        XCTAssertEqual(s.rate(at: 35), peak * (0.1 + 0.9 * Float(0.5 * (1 + cos(Double.pi / 4)))), accuracy: 1e-9)
        // Non-increasing after the warm-up.
        var last = Float.infinity
        for step in 10...120 { let r = s.rate(at: step); XCTAssertLessThanOrEqual(r, last); last = r }
        // No warm-up.
        let noWarmup = LearningRateSchedule.cosine(peak: 2, warmup: 0, total: 4, floor: 0)
        XCTAssertEqual(noWarmup.rate(at: 0), 2)
        XCTAssertEqual(noWarmup.rate(at: 2), 1, accuracy: 1e-6)
        XCTAssertEqual(noWarmup.rate(at: 4), 0, accuracy: 1e-6)
    }

    // MARK: Parallel

    func testParallelForEachVisitsEveryItemOnce() {
        for threads in [1, 2, 3] {
            for count in [0, 1, 7] {
                let lock = NSLock()
                var visits = [Int](repeating: 0, count: count)
                var workerOf = [Int](repeating: -1, count: count)
                Parallel.forEach(count, threads: threads) { worker, item in
                    lock.lock(); visits[item] += 1; workerOf[item] = worker; lock.unlock()
                }
                XCTAssertEqual(visits, [Int](repeating: 1, count: count), "threads \(threads), count \(count)")
                // Worker t takes items t, t + T, … with T = min(threads, count).
                let t = max(1, min(threads, count))
                XCTAssertEqual(workerOf, (0..<count).map { $0 % t }, "threads \(threads), count \(count)")
            }
        }
        XCTAssertGreaterThanOrEqual(Parallel.coreCount, 1)
    }

    func testParallelForEachWithMoreThreadsThanItemsAndZeroThreads() {
        let lock = NSLock()
        var seen: [Int] = []
        Parallel.forEach(3, threads: 64) { _, i in lock.lock(); seen.append(i); lock.unlock() }
        XCTAssertEqual(seen.sorted(), [0, 1, 2])
        seen = []
        Parallel.forEach(3, threads: 0) { w, i in XCTAssertEqual(w, 0); seen.append(i) }
        XCTAssertEqual(seen, [0, 1, 2], "threads 0 means one thread, in order")
    }

    // MARK: Architecture and initialisation

    func testArchitectureShapes() throws {
        let a = Architecture(w1: 32, w2: 32, w3: 16)
        XCTAssertEqual(a.layers.count, 20)
        XCTAssertEqual(a.codeLayer, 9)
        let shapes = a.shapes
        XCTAssertTrue(shapes[a.codeLayer] == (7, 7, 1), "code 7×7×1, got \(shapes[a.codeLayer])")
        XCTAssertTrue(shapes.last! == (28, 28, 1), "output 28×28×1, got \(shapes.last!)")
        XCTAssertTrue(shapes[2] == (14, 14, 32) && shapes[6] == (7, 7, 32) && shapes[13] == (14, 14, 16)
                      && shapes[17] == (28, 28, 32), "\(shapes)")
        XCTAssertEqual(a.codeCount, 49)
        XCTAssertEqual(a.description, "32/32/16")
        XCTAssertEqual(Architecture(w1: 2, w2: 3, w3: 2, codeChannels: 2).description, "2/3/2×2")
        XCTAssertEqual(Architecture(w1: 2, w2: 3, w3: 2, codeChannels: 2).codeCount, 98)
        // Only the code and output convs are sigmoid; 16 convs, 2 pools, 2 upsamplings.
        var sigmoids: [Int] = [], convs = 0
        for (i, layer) in a.layers.enumerated() {
            if case .conv(_, _, let act) = layer { convs += 1; if act == .sigmoid { sigmoids.append(i) } else { XCTAssertEqual(act, .relu) } }
        }
        XCTAssertEqual(sigmoids, [9, 19]); XCTAssertEqual(convs, 16)
        XCTAssertEqual(a.layers.filter { $0 == .maxPool }.count, 2)
        XCTAssertEqual(a.layers.filter { $0 == .upsample }.count, 2)

        // Parameter count: the PyTorch model's weights and biases, and offsets packed in order.
        let ref = try PyTorchReference()
        let pyTorchCount = ref.manifest.tensors.filter { $0.name.hasSuffix(".weight") || $0.name.hasSuffix(".bias") }
            .filter { !$0.name.hasPrefix("grad.") }.reduce(0) { $0 + $1.shape.reduce(1, *) }
        XCTAssertEqual(a.parameterLayout.count, pyTorchCount)
        XCTAssertEqual(a.parameterLayout.count, 81874)
        var next = 0
        for (layer, offset) in zip(a.layers, a.parameterLayout.offsets) {
            if case .conv(let cin, let cout, _) = layer {
                XCTAssertEqual(offset?.weight, next); XCTAssertEqual(offset?.bias, next + 9 * cin * cout)
                next += 9 * cin * cout + cout
            } else {
                XCTAssertNil(offset)
            }
        }
        XCTAssertEqual(a.macsPerTile, zip(a.layers, shapes).reduce(0) { t, p in
            if case .conv(let cin, let cout, _) = p.0 { return t + p.1.h * p.1.w * 9 * cin * cout } else { return t }
        })
    }

    /// He initialisation: weights N(0, 2/fan_in) — checked on the 64→64 layers of a 64/64/64 model
    /// (36 864 weights each, so the sample std is within 0.4% of the true one) — biases 0, reproducible.
    func testHeInitialisation() {
        let a = Architecture(w1: 64, w2: 64, w3: 64)
        let model = Autoencoder(architecture: a, seed: 3)
        for (i, (layer, offset)) in zip(a.layers, a.parameterLayout.offsets).enumerated() {
            guard case .conv(let cin, let cout, _) = layer, let offset else { continue }
            let w = model.parameters[offset.weight..<(offset.weight + 9 * cin * cout)].map(Double.init)
            let b = model.parameters[offset.bias..<(offset.bias + cout)]
            XCTAssertTrue(b.allSatisfy { $0 == 0 }, "layer \(i) biases are 0")
            guard w.count > 10_000 else { continue }
            let mean = w.reduce(0, +) / Double(w.count)
            let std = (w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w.count)).squareRoot()
            let expected = (2 / Double(9 * cin)).squareRoot()
            XCTAssertEqual(std, expected, accuracy: 0.1 * expected, "layer \(i)")
            XCTAssertEqual(mean, 0, accuracy: 0.05 * expected, "layer \(i)")
        }
        XCTAssertEqual(Autoencoder(architecture: a, seed: 3).parameters, model.parameters, "same seed, same weights")
        XCTAssertNotEqual(Autoencoder(architecture: a, seed: 4).parameters, model.parameters)
        // The narrow first layer (fan_in 9) has the larger std.
        let first = model.parameters[0..<(9 * 64)].map(Double.init)
        XCTAssertEqual((first.reduce(0) { $0 + $1 * $1 } / Double(first.count)).squareRoot(), (2.0 / 9).squareRoot(),
                       accuracy: 0.1 * (2.0 / 9).squareRoot())
    }

    // MARK: Workspace

    func testWorkspaceBuffersGrowAndAreDistinct() {
        let ws = Workspace()
        let a = ws.buffer(0, count: 10), b = ws.buffer(1, count: 10)
        XCTAssertNotEqual(a, b)
        a.update(repeating: 1, count: 10); b.update(repeating: 2, count: 10)
        XCTAssertEqual(ws.buffer(0, count: 5), a, "a smaller request reuses the buffer")
        XCTAssertEqual(a[9], 1)
        let big = ws.buffer(0, count: 1000)
        big.update(repeating: 3, count: 1000)           // must be writable in full
        XCTAssertEqual(ws.buffer(1, count: 10)[0], 2, "growing one slot leaves the others alone")
        _ = ws.buffer(5, count: 0)
    }

    // MARK: CodeQuantizer

    func testCodeQuantizerLevels() {
        let q = CodeQuantizer(bits: 6)
        XCTAssertEqual(q.maxSymbol, 63)
        XCTAssertEqual(q.step, 1 / 63)
        XCTAssertEqual(q.symbol(0), 0); XCTAssertEqual(q.symbol(1), 63)
        XCTAssertEqual(q.symbol(0.5), 32, "31.5 rounds away from zero")
        XCTAssertEqual(q.symbol(0.2), 13)       // 12.6
        XCTAssertEqual(q.symbol(-0.3), 0, "clamped"); XCTAssertEqual(q.symbol(1.7), 63, "clamped")
        XCTAssertEqual(q.symbol(.nan), 0); XCTAssertEqual(q.symbol(.infinity), 63); XCTAssertEqual(q.symbol(-.infinity), 0)
        XCTAssertEqual(q.value(0), 0); XCTAssertEqual(q.value(63), 1); XCTAssertEqual(q.value(21), 1 / 3)
        XCTAssertEqual(CodeQuantizer(bits: 1).maxSymbol, 1)
        XCTAssertEqual(CodeQuantizer(bits: 1).symbol(0.49), 0); XCTAssertEqual(CodeQuantizer(bits: 1).symbol(0.51), 1)
    }

    /// Every level maps back to its own symbol, for 1 to 16 bits.
    func testCodeQuantizerRoundTrip() {
        for bits in 1...16 {
            let q = CodeQuantizer(bits: bits)
            let symbols = bits <= 10 ? Array(0...q.maxSymbol) : Array(stride(from: 0, through: q.maxSymbol, by: 97)) + [q.maxSymbol]
            for k in symbols where q.symbol(q.value(k)) != k {
                XCTFail("bits \(bits): level \(k) comes back as \(q.symbol(q.value(k)))"); break
            }
        }
    }

    /// quantize moves each value in [0, 1] to a level at most half a step away, and is idempotent.
    func testCodeQuantizerQuantize() {
        let q = CodeQuantizer(bits: 4)
        var rng = SplitMix64(seed: 70)
        let x = randomFloats(500, &rng, in: 0...1) + [0, 1, -1, 2]
        var y = x
        y.withPointer { q.quantize($0, count: x.count) }
        for (a, b) in zip(x, y) {
            XCTAssertEqual(b * 15, (b * 15).rounded(), accuracy: 1e-5, "a level")
            XCTAssertLessThanOrEqual(abs(min(max(a, 0), 1) - b), q.step / 2 * 1.0001)
        }
        var z = y
        z.withPointer { q.quantize($0, count: y.count) }
        XCTAssertEqual(z, y)
        XCTAssertEqual(Array(y.suffix(4)), [0, 1, 0, 1])
    }
}
