import AECBase
import Foundation
@testable import AECNet

/// The PyTorch reference fixture in `Fixtures/<name>/`: `manifest.json` names every tensor with its shape
/// and byte range in `tensors.bin` (float32 little-endian, or uint8 for the images).
///
/// PyTorch lays a conv weight out as [out, in, kh, kw]; `Autoencoder` as [kh, kw, in, out] inside its
/// flat parameter vector. `layers_in_order` lists the PyTorch conv modules in the order of our conv layers.
struct PyTorchReference {
    struct Manifest: Decodable {
        var widths: [Int]
        var layersInOrder: [String]
        var lossValue: Double
        var tensors: [Entry]

        enum CodingKeys: String, CodingKey {
            case widths, tensors
            case layersInOrder = "layers_in_order"
            case lossValue = "loss_value"
        }
    }

    struct Entry: Decodable {
        var name: String
        var dtype: String
        var shape: [Int]
        var offset: Int
        var bytes: Int
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
    }

    let manifest: Manifest
    /// Every tensor by name, flattened in PyTorch (row-major) order; uint8 values as they are (0…255).
    let tensors: [String: (shape: [Int], values: [Float])]

    /// The folder of a fixture copied into the test bundle (`resources: [.copy("Fixtures")]`).
    static func directory(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw FixtureError(description: "fixture Fixtures/\(name) is not in the test bundle \(Bundle.module.bundlePath)")
        }
        return url
    }

    init(fixture name: String = "small-32-32-16") throws {
        let dir = try PyTorchReference.directory(name)
        manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        let blob = [UInt8](try Data(contentsOf: dir.appendingPathComponent("tensors.bin")))
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for e in manifest.tensors {
            let count = e.shape.reduce(1, *), size = ["float32": 4, "uint8": 1][e.dtype] ?? 0
            guard size > 0, e.bytes == size * count, e.offset >= 0, e.offset + e.bytes <= blob.count else {
                throw FixtureError(description: "\(name): tensor \(e.name) (\(e.dtype) \(e.shape), bytes \(e.offset)+\(e.bytes)) "
                                   + "does not fit tensors.bin (\(blob.count) bytes)")
            }
            var r = ByteReader(blob[e.offset..<(e.offset + e.bytes)])
            tensors[e.name] = (e.shape, (0..<count).map { _ in size == 1 ? Float(r.u8()!) : Float(bitPattern: r.u32()!) })
        }
        self.tensors = tensors
    }

    func tensor(_ name: String) throws -> (shape: [Int], values: [Float]) {
        guard let t = tensors[name] else { throw FixtureError(description: "fixture has no tensor \(name)") }
        return t
    }

    /// The input images [n, 1, 28, 28] as the network sees them: value/255.
    func images() throws -> (n: Int, values: [Float]) {
        let t = try tensor("images")
        return (t.shape[0], t.values.map { $0 / 255 })
    }

    var architecture: Architecture {
        Architecture(w1: manifest.widths[0], w2: manifest.widths[1], w3: manifest.widths[2])
    }

    /// The conv layers of `architecture`, each with the PyTorch module it corresponds to.
    func convLayers() throws -> [(module: String, cin: Int, cout: Int, weight: Int, bias: Int)] {
        let a = architecture
        var result: [(module: String, cin: Int, cout: Int, weight: Int, bias: Int)] = []
        for (layer, offset) in zip(a.layers, a.parameterLayout.offsets) {
            guard case .conv(let cin, let cout, _) = layer, let offset else { continue }
            guard result.count < manifest.layersInOrder.count else { throw FixtureError(description: "too few layers in manifest") }
            result.append((manifest.layersInOrder[result.count], cin, cout, offset.weight, offset.bias))
        }
        guard result.count == manifest.layersInOrder.count else { throw FixtureError(description: "too many layers in manifest") }
        return result
    }

    /// PyTorch [cout, cin, 3, 3] → ours [3, 3, cin, cout].
    static func weightToOurs(_ t: [Float], cin: Int, cout: Int) -> [Float] {
        var w = [Float](repeating: 0, count: 9 * cin * cout)
        for co in 0..<cout { for ci in 0..<cin { for k in 0..<9 {
            w[(k * cin + ci) * cout + co] = t[(co * cin + ci) * 9 + k]
        } } }
        return w
    }

    /// Ours [3, 3, cin, cout] → PyTorch [cout, cin, 3, 3].
    static func weightToPyTorch(_ w: ArraySlice<Float>, cin: Int, cout: Int) -> [Float] {
        var t = [Float](repeating: 0, count: 9 * cin * cout)
        for co in 0..<cout { for ci in 0..<cin { for k in 0..<9 {
            t[(co * cin + ci) * 9 + k] = w[w.startIndex + (k * cin + ci) * cout + co]
        } } }
        return t
    }

    /// Our flat parameter vector from the tensors `prefix + module + ".weight"/".bias"` (prefix "" for the
    /// parameters, "grad." for their gradients).
    func parameterVector(prefix: String = "") throws -> [Float] {
        var p = [Float](repeating: .nan, count: architecture.parameterLayout.count)
        for l in try convLayers() {
            let w = try tensor(prefix + l.module + ".weight"), b = try tensor(prefix + l.module + ".bias")
            guard w.shape == [l.cout, l.cin, 3, 3], b.shape == [l.cout] else {
                throw FixtureError(description: "\(l.module): shapes \(w.shape), \(b.shape) for a \(l.cin)→\(l.cout) conv")
            }
            p.replaceSubrange(l.weight..<(l.weight + 9 * l.cin * l.cout), with: PyTorchReference.weightToOurs(w.values, cin: l.cin, cout: l.cout))
            p.replaceSubrange(l.bias..<(l.bias + l.cout), with: b.values)
        }
        return p
    }

    /// Our flat vector (parameters or gradients) split back into PyTorch-named tensors ("enc.0.weight", …).
    func pyTorchTensors(from vector: [Float]) throws -> [(name: String, values: [Float])] {
        try convLayers().flatMap { l in
            [(l.module + ".weight", PyTorchReference.weightToPyTorch(vector[l.weight..<(l.weight + 9 * l.cin * l.cout)],
                                                                     cin: l.cin, cout: l.cout)),
             (l.module + ".bias", Array(vector[l.bias..<(l.bias + l.cout)]))]
        }
    }
}
