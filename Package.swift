// swift-tools-version:6.0
// eaft — entropy-gated fine-tuning data preparation and training.
// Module layout (arrows point at dependencies) is described in README.md.
import PackageDescription

let settings: [SwiftSetting] = [
    .swiftLanguageMode(.v5),
]

let package = Package(
    name: "eaft",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "eaft", targets: ["eaft"]),
        // libFuzzer driver (scripts/fuzz.sh); in a normal build it replays files.
        .executable(name: "eaft-fuzz", targets: ["eaft-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C libraries from Debian, found through pkg-config.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Core: the foundation every module builds on (errors, strict decoding, POSIX I/O, lines,
        // RNG, thread splits, logging); no dependencies.
        .target(name: "Core", swiftSettings: settings),
        .target(name: "Records", dependencies: ["Core"], swiftSettings: settings),
        .target(name: "Kernels", dependencies: ["Core", "CBLAS"], swiftSettings: settings),
        .target(name: "DataIO", dependencies: ["Core", "Records", "CZstd", "CSnappy", "CZlib"], swiftSettings: settings),
        .target(name: "Tokenizer", dependencies: ["Core", "Records"], swiftSettings: settings),
        .target(name: "Jinja", dependencies: ["Core", "Records"], swiftSettings: settings),
        .target(name: "Verify", dependencies: ["Core", "Records"], swiftSettings: settings),
        .target(name: "Curation", dependencies: ["Core", "Records"], swiftSettings: settings),
        .target(name: "Model", dependencies: ["Core", "Kernels", "DataIO", "Records"], swiftSettings: settings),
        .target(name: "Training", dependencies: ["Core", "Model", "Kernels", "DataIO", "Records", .product(name: "Yams", package: "Yams")],
                swiftSettings: settings),
        .target(
            name: "Pipeline",
            dependencies: ["Core", "Records", "Tokenizer", "Jinja", "DataIO", "Verify", "Curation", "Model", "Kernels", .product(name: "Yams", package: "Yams")],
            swiftSettings: settings),
        .executableTarget(
            name: "eaft",
            dependencies: [
                "Core", "Pipeline", "Training", "Model", "Tokenizer", "Jinja", "Verify", "Curation", "DataIO", "Records", "Kernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: settings),

        // Tests. TestSupport locates ../shared (or $EAFT_SHARED) and skips cleanly without it.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: settings),
        // Fuzz targets (issue 17): one per reader, shared by the libFuzzer driver and the replay tests.
        .target(name: "FuzzTargets", dependencies: ["Records", "DataIO", "Tokenizer", "Jinja", "Pipeline"], path: "Tests/Fuzz/FuzzTargets",
                swiftSettings: settings),
        .executableTarget(name: "eaft-fuzz", dependencies: ["FuzzTargets"], path: "Tests/Fuzz/Driver", swiftSettings: settings),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "CoreTests", dependencies: ["Core"], swiftSettings: settings),
        .testTarget(name: "RecordsTests", dependencies: ["Records", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "DataIOTests", dependencies: ["DataIO", "Records", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "JinjaTests", dependencies: ["Jinja", "Records", "Tokenizer", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "Records", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "VerifyTests", dependencies: ["Verify", "Records", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "CurationTests", dependencies: ["Curation", "Records", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "ModelTests", dependencies: ["Core", "Model", "Kernels", "DataIO", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Model", "Kernels", "DataIO", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "GGUFTests", dependencies: ["DataIO", "Model", "Tokenizer", "Records", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "PipelineTests", dependencies: ["Core", "Pipeline", "Curation", "Records", "DataIO", "Tokenizer", "Model", "TestSupport"], swiftSettings: settings),
    ]
)
