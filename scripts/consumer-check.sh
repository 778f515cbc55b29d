#!/usr/bin/env bash
# Checks that another Swift package can depend on aec's libraries by version, as a user's package would:
# it tags a clone of this checkout, makes a package that depends on it with `from:` (SwiftPM refuses
# unsafe build flags in such dependencies, and resolves them as it would from GitHub), builds it, and runs
# a program that codes an image with the shipped default model and prints the PSNR.
#
#   scripts/consumer-check.sh [WORK_DIR]      (default: a new temporary folder, removed afterwards)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
[ -n "${1:-}" ] || trap 'rm -rf "$work"' EXIT

# The library as a versioned git repository: this checkout's committed state, tagged 99.0.0.
git clone --quiet --no-hardlinks "$repo" "$work/aec"
git -C "$work/aec" -c user.name=check -c user.email=check@localhost tag 99.0.0

mkdir -p "$work/consumer/Sources/consumer"
cat > "$work/consumer/Package.swift" <<MANIFEST
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "consumer",
    dependencies: [.package(url: "file://$work/aec", from: "99.0.0")],
    targets: [.executableTarget(name: "consumer", dependencies: [
        .product(name: "AECCodec", package: "aec"), .product(name: "AECImage", package: "aec")])]
)
MANIFEST
cat > "$work/consumer/Sources/consumer/main.swift" <<'PROGRAM'
import AECCodec
import AECImage

// A 56×28 gray image, coded and decoded with the shipped default model.
let samples: [UInt8] = (0..<(56 * 28)).map { (i: Int) -> UInt8 in
    let x = i % 56, y = i / 56
    return UInt8(x * 3 + y * 2)  // at most 55·3 + 27·2 = 219
}
let image = Image(width: 56, height: 28, channels: 1, samples: samples)
let codec = Codec(model: try ShippedModels.default())
let bytes = try codec.encode(image).bytes
let decoded = try codec.decode(bytes)
guard decoded.width == 56, decoded.height == 28 else { fatalError("decoded \(decoded.width)×\(decoded.height)") }
print("consumer: \(bytes.count) bytes, PSNR", Quality.psnr(image, decoded))
PROGRAM

cd "$work/consumer"
swift build 2>&1 | tail -n 3
swift run --skip-build consumer
