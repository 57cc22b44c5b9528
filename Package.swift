// swift-tools-version: 6.0
import PackageDescription

// Module graph (see README "Layout"): CLI → Scan → stages; stages never import each other
// except through the small value types in Imaging.
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
    ],
    targets: [
        // Plain pixel buffers shared by decoding, face alignment and the detectors.
        .target(name: "Imaging"),

        .executableTarget(
            name: "deepfake-scan",
            dependencies: [
                "Imaging", "Aggregate", "Reports", "Scan", "VideoDecode", "FaceAlign",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),

        // Frame scores → track scores → video verdict. Pure functions, no I/O.
        .target(name: "Aggregate"),
        // CSV / Kaggle CSV / JSONL / summary text from scan results. Changes no score.
        .target(name: "Reports", dependencies: ["Aggregate"]),
        // Discovery, results store (SQLite), bounded-concurrency orchestration. Formats nothing.
        .target(
            name: "Scan",
            dependencies: [
                "Aggregate", "Reports", "Imaging",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "AggregateTests", dependencies: ["Aggregate"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Aggregate"]),
        .testTarget(name: "ScanTests", dependencies: ["Scan", "Reports", "Aggregate", "Imaging"]),
        // Face stage: YuNet (libfacedetection, dlopen'ed) → 5-point similarity warp → tracks.
        .target(name: "FaceAlign", dependencies: ["Imaging"]),
        .testTarget(
            name: "FaceAlignTests",
            dependencies: ["FaceAlign", "Imaging"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "FacesCLITests", dependencies: ["deepfake-scan", "FaceAlign", "VideoDecode", "Scan"]),
        // `make bench-faces`: face stage vs plain YuNet at ≤ 640 px on the same frames.
        .executableTarget(
            name: "face-bench",
            dependencies: [
                "FaceAlign", "VideoDecode", "Imaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "CLITests", dependencies: ["deepfake-scan", "Scan", "Reports"]),

        // FFmpeg's C API (libavformat, libavcodec, libswscale, libavutil) via pkg-config.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        // Open, probe, GOP-aware frame sampling, rotation, RGB frames. Knows no faces.
        .target(name: "VideoDecode", dependencies: ["CFFmpeg", "Imaging"]),
        .testTarget(name: "VideoDecodeTests", dependencies: ["VideoDecode", "Imaging"]),
        .testTarget(name: "DecodeCLITests", dependencies: ["deepfake-scan", "VideoDecode"]),
        // make bench-decode: our sampler vs the ffmpeg CLI floor vs naive seek-per-frame.
        .executableTarget(name: "decode-bench", dependencies: ["VideoDecode"]),
    ]
)
