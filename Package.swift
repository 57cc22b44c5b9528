// swift-tools-version: 6.0
import PackageDescription

// Module graph (see README "Layout"): CLI → Scan → stages; stages never import each other
// except through the small value types in Imaging.
// Engine modules: measured-only release flags (see README "Engine").
// AVX2+FMA (haswell) on Linux x86-64, which the project's machines have: the direct conv
// kernels' SIMD8 accumulators become single ymm FMAs.
// Debug builds (the tests) optimise the engine and target haswell too: they test the arithmetic
// that ships, and without FMA in the target the kernels' SIMD fused multiply-adds become libm
// calls per lane (Meso-4: 1.6 images/s in a debug build without, 394 with).
// DEEPFAKE_SCAN_PORTABLE=1 (`make … PORTABLE=1`, automatic on a CPU without AVX2+FMA) builds
// for any x86-64 CPU instead (far slower kernels); a haswell build says so at start-up on a CPU
// without AVX2+FMA (CPUFeatures) rather than dying on an illegal instruction.
let portable = Context.environment["DEEPFAKE_SCAN_PORTABLE"].map { !$0.isEmpty && $0 != "0" } ?? false
let engineSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
] + (portable ? [] : [
    .unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux])),
])
/// The engine's 16-float kernels (TensorAVX512): that module alone targets AVX-512, and Tensor
/// (built with ENGINE_AVX512) calls it only on a CPU that has it; a portable build never does.
let avx512SwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
] + (portable ? [] : [
    .unsafeFlags(["-target-cpu", "skylake-avx512"], .when(platforms: [.linux])),
])
let tensorSwiftSettings = engineSwiftSettings + (portable ? [] : [.define("ENGINE_AVX512", .when(platforms: [.linux]))])
/// Set where the engine is built for haswell, so the programs check the CPU first.
let cpuCheckSettings: [SwiftSetting] = portable ? [] : [.define("ENGINE_NEEDS_AVX2_FMA", .when(platforms: [.linux]))]

let package = Package(
    name: "deepfake-scan",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "deepfake-scan", targets: ["deepfake-scan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The HTML report's templates: HTML-escaping by default.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // Plain pixel buffers shared by decoding, face alignment and the detectors.
        .target(name: "Imaging"),

        .executableTarget(
            name: "deepfake-scan",
            dependencies: [
                "Imaging", "Aggregate", "Reports", "Scan", "Evaluation", "VideoDecode", "Detectors", "NN", "FaceAlign",
                "Tensor",  // BLASCore: OpenBLAS kernel choice at start-up
                "CPUFeatures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),  // pipeline files (`run`)
            ],
            swiftSettings: cpuCheckSettings
        ),

        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        // ChildProcess: the one way tests run another program (ffmpeg, the built binary).
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        // Frame scores → track scores → video verdict. Pure functions, no I/O.
        .target(name: "Aggregate"),
        // CSV / Kaggle CSV / JSONL / summary text from scan results. Changes no score.
        .target(name: "Reports", dependencies: ["Aggregate", "Imaging", .product(name: "Mustache", package: "swift-mustache"),
                                                .product(name: "Logging", package: "swift-log")]),
        // Discovery, results store (SQLite), bounded-concurrency orchestration. Formats nothing.
        .target(
            name: "Scan",
            dependencies: [
                "Aggregate", "Reports", "Imaging", "VideoDecode", "FaceAlign", "Detectors", "NN",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),  // content hashes of videos
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "AggregateTests", dependencies: ["Aggregate"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Aggregate", "Imaging"], exclude: ["Fixtures"]),
        // The HTML report in headless chromium: skipped with a message without chromium.
        .testTarget(name: "HTMLReportBrowserTests", dependencies: ["deepfake-scan", "Reports", "Imaging", "TestSupport"]),
        .testTarget(
            name: "ScanTests",
            dependencies: ["Scan", "Reports", "Aggregate", "Imaging", "FaceAlign", "Detectors", "VideoDecode", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        // Face stage: YuNet (libfacedetection, dlopen'ed) → 5-point similarity warp → tracks.
        // Optimised in debug builds too: its pixel loops (downscale, warp) are ~30× slower
        // unoptimised, which would make the end-to-end tests crawl.
        .target(name: "FaceAlign", dependencies: ["Imaging", "CPUFeatures", "CYuNetKernels",
                                                  .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // YuNet's 1×1 and 3×3 depthwise convolutions, register-blocked with the library's exact
        // arithmetic. Every executable that links them exports the C++ symbols, so the dlopen'ed
        // library binds to them.
        .target(name: "CYuNetKernels",
                cSettings: [.unsafeFlags(["-O2"])],
                linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic-symbol=_Z24convolution_1x1pointwiseRK9CDataBlobIfERK7FiltersIfERS0_",
                                               "-Xlinker", "--export-dynamic-symbol=_Z24convolution_3x3depthwiseRK9CDataBlobIfERK7FiltersIfERS0_"],
                                              .when(platforms: [.linux]))]),
        .testTarget(
            name: "FaceAlignTests",
            dependencies: ["FaceAlign", "CYuNetKernels", "Imaging", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "FacesCLITests", dependencies: ["deepfake-scan", "FaceAlign", "VideoDecode", "Scan", "Reports", "TestSupport"]),
        // `make bench-faces`: face stage vs plain YuNet at ≤ 640 px on the same frames.
        .executableTarget(
            name: "face-bench",
            dependencies: [
                "FaceAlign", "VideoDecode", "Imaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["deepfake-scan", "Scan", "Reports", "Aggregate", "Evaluation", "Imaging", "Tensor", "CPUFeatures", "TestSupport",
                           .product(name: "Yams", package: "Yams")]),

        // Scores against labels: AUC, AP, log loss, EER, confusion matrix, per category. Metrics are pure.
        .target(name: "Evaluation", dependencies: ["Reports", "Imaging"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Reports", "Imaging"]),

        // FFmpeg's C API (libavformat, libavcodec, libswscale, libavutil) via pkg-config.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        // Open, probe, GOP-aware frame sampling, rotation, RGB frames. Knows no faces.
        .target(name: "VideoDecode", dependencies: ["CFFmpeg", "Imaging"]),
        .testTarget(name: "VideoDecodeTests", dependencies: ["VideoDecode", "Imaging", "TestSupport"]),
        .testTarget(name: "DecodeCLITests", dependencies: ["deepfake-scan", "VideoDecode", "Scan"]),

        // ---- the engine: CBLAS → Tensor → NN → Detectors ----
        // OpenBLAS cblas (Debian libopenblas-dev, pthread build).
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Float32 NCHW tensors and kernels (im2col + sgemm, direct loops, pooling, activations).
        // CPU flags from /proc/cpuinfo; never built for haswell (it checks for AVX2 first).
        .target(name: "CPUFeatures"),
        .target(name: "Tensor", dependencies: ["CBLAS", "CPUFeatures", "TensorAVX512"], swiftSettings: tensorSwiftSettings),
        // The 16-float kernels Tensor runs on CPUs with AVX-512 (WideKernels); raw pointers only.
        .target(name: "TensorAVX512", swiftSettings: avx512SwiftSettings),
        // Layers keyed like PyTorch state_dict, safetensors reader, strict loading, model cards.
        // Crypto: SHA-256 of the weight files an ensemble card pins.
        .target(name: "NN", dependencies: ["Tensor", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: engineSwiftSettings),
        // One file per architecture, name → factory registry.
        // Models/: the bundled weights (ModelCatalog.bundled), copied next to the binary.
        .target(name: "Detectors", dependencies: ["NN", "Tensor", "Imaging"], resources: [.copy("Models")],
                swiftSettings: engineSwiftSettings),
        // Throughput benchmark binary driven by `make bench-engine` (Training/bench/bench_engine.py).
        .executableTarget(
            name: "engine-bench",
            dependencies: ["Detectors", "Imaging", "Tensor", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: engineSwiftSettings
        ),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TensorAVX512", "CPUFeatures"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor", "TestSupport"]),
        .testTarget(name: "DetectorsTests", dependencies: ["Detectors", "NN", "Tensor", "Imaging", "TestSupport"]),

        // ---- model selection: bundled models, `--model NAME`, `eval --model`, `eval --perturb` ----
        .testTarget(
            name: "ModelSelectionTests",
            dependencies: ["deepfake-scan", "Detectors", "NN", "Tensor", "Evaluation", "Reports", "Scan", "VideoDecode", "Imaging"]
        ),

        // make bench-decode: our sampler vs the ffmpeg CLI floor vs naive seek-per-frame.
        .executableTarget(name: "decode-bench", dependencies: ["VideoDecode"]),

        // ---- fuzzing: libFuzzer targets, `make fuzz` (docs/fuzzing.md) ----
        // Built with -DFUZZING and -sanitize=fuzzer, libFuzzer supplies main(); in a normal
        // build each is a replayer that runs the input files it is given once.
        .executableTarget(name: "fuzz-safetensors", dependencies: ["NN"]),
        .executableTarget(name: "fuzz-decode", dependencies: ["VideoDecode"]),
    ]
)
