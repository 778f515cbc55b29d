// swift-tools-version:6.0
//
// aec — a lossy image codec whose transform is a convolutional autoencoder.
//
// Module graph (imports only run downward; each box imports only the boxes below it):
//
//   aec-encode, aec-decode, aec-train, aec-bench     thin @main executables: parse, call, map errors to exits
//        │
//   AECToolSupport                                   what aec-encode/aec-decode share: plans, jobs, summary
//   AECBench                                         benchmarks: engine speed; aec against JPEG and WebP
//        │
//   AECTraining                                      datasets, the trainer, entropy-table fitting
//        │
//   AECCodec                                         planes, tiles, entropy coding, the .aec container, Codec
//        │
//   AECNet           AECImage                        the network engine ; images, PNG/JPEG/WebP, PSNR
//        │              │
//   CKernels            │                            C: the GEMM and convolution tiles, AVX2 or portable
//        │           CImageIO                        C shim: libpng/libjpeg errors come back as text
//        │              │
//        │           CLibPNG, CLibJPEG, CLibWebP, CZlib   system libraries found with pkg-config
//        │              │
//   AECBase ────────────┘                            bytes, CRC-32, the seeded generator, Parallel, Lock,
//                                                    file system (read, atomic write, folder walk), formatting
//
//   AECTestSupport                                   helpers shared by the test targets
//
import PackageDescription
import Foundation

// The engine's kernels are chosen at run time from the CPU (Sources/CKernels), so the build needs no
// machine flags and one binary runs on every x86-64 CPU. What remains is a development setting: the
// engine is optimized even in debug builds, because unoptimized SIMD loops run ~50× slower and are most of
// the test suite's time. SwiftPM refuses such flags in a package that another depends on by version, so
// they apply only where aec is being developed — not inside another package's checkouts.
let isDependency = Context.packageDirectory.contains("/checkouts/")
let optimizedInDebug: [SwiftSetting] = isDependency ? [] : [.unsafeFlags(["-O"], .when(configuration: .debug))]
let optimizedInDebugC: [CSetting] = isDependency ? [] : [.unsafeFlags(["-O2"], .when(configuration: .debug))]

let package = Package(
    name: "aec",
    products: [
        .executable(name: "aec-encode", targets: ["aec-encode"]),
        .executable(name: "aec-decode", targets: ["aec-decode"]),
        .executable(name: "aec-train", targets: ["aec-train"]),
        .executable(name: "aec-bench", targets: ["aec-bench"]),
        .library(name: "AECBase", targets: ["AECBase"]),
        .library(name: "AECNet", targets: ["AECNet"]),
        .library(name: "AECImage", targets: ["AECImage"]),
        .library(name: "AECTraining", targets: ["AECTraining"]),
        .library(name: "AECCodec", targets: ["AECCodec"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries (module maps use a local shim header; paths come from pkg-config).
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CLibJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        .target(name: "CImageIO", dependencies: ["CLibPNG", "CLibJPEG", "CZlib", "CLibWebP"]),

        // Libraries.
        .target(name: "AECBase"),
        // The engine's innermost kernels, in C: AVX2 + FMA or portable, chosen at run time.
        .target(name: "CKernels", cSettings: optimizedInDebugC),
        // The engine, optimized even in debug builds (see above). Preconditions stay on at -O.
        .target(name: "AECNet", dependencies: ["AECBase", "CKernels"], swiftSettings: optimizedInDebug),
        .target(name: "AECImage", dependencies: ["AECBase", "CImageIO", "CZlib"]),
        .target(name: "AECTraining", dependencies: ["AECBase", "AECNet", "AECImage", "AECCodec", "CZlib"]),
        .target(name: "AECCodec", dependencies: ["AECBase", "AECNet", "AECImage", "CZlib"],
                resources: [.copy("Models")]),
        .target(name: "AECBench", dependencies: ["AECBase", "AECNet", "AECTraining", "AECCodec", "AECImage"]),

        // Executables: parse arguments, call a library, map errors to exit codes.
        .target(name: "AECToolSupport", dependencies: [
            "AECBase", "AECCodec", "AECImage", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "aec-encode", dependencies: [
            "AECBase", "AECToolSupport", "AECCodec", "AECImage", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "aec-decode", dependencies: [
            "AECBase", "AECCodec", "AECToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "aec-train", dependencies: [
            "AECBase", "AECNet", "AECTraining", "AECCodec", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "aec-bench", dependencies: [
            "AECBase", "AECNet", "AECBench", "AECCodec", "AECTraining", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests. AECTestSupport holds what several test targets need (tiny models, process runner, helpers).
        .target(name: "AECTestSupport", dependencies: ["AECBase", "AECNet", "AECImage", "AECCodec"], path: "Tests/AECTestSupport"),
        .testTarget(name: "AECBaseTests", dependencies: ["AECBase", "AECTestSupport"]),
        .testTarget(name: "AECNetTests", dependencies: ["AECNet", "AECTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AECImageTests", dependencies: ["AECImage", "AECBase", "AECTestSupport"]),  // AECBase: the seeded generator
        .testTarget(name: "AECCodecTests", dependencies: ["AECCodec", "AECTraining", "AECTestSupport"]),
        .testTarget(name: "AECBenchTests", dependencies: ["AECBench", "AECImage", "AECTestSupport"]),
        .testTarget(name: "AECTrainingTests", dependencies: ["AECTraining", "AECCodec", "AECImage", "AECBase", "CZlib"]),
        // Runs the built executables as a user would; depending on them makes `swift test` build them.
        .testTarget(name: "AECToolTests", dependencies: ["aec-train", "aec-bench", "aec-encode", "aec-decode", "AECBase", "AECNet", "AECCodec", "AECImage", "AECTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
