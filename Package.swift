// swift-tools-version:6.0
import PackageDescription

// Layers depend one way only:
// CRdKafka -> Kafka -> InferenceJobs -> InferenceModels -> InferenceWorker / ResultsSink / ServiceOperations
// -> kinfer, kinfer-bench.
let package = Package(
    name: "kinfer",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "InferenceJobs", targets: ["InferenceJobs"]),
        .library(name: "InferenceModels", targets: ["InferenceModels"]),
        .library(name: "InferenceWorker", targets: ["InferenceWorker"]),
        .library(name: "ResultsSink", targets: ["ResultsSink"]),
        .library(name: "ServiceOperations", targets: ["ServiceOperations"]),
        .executable(name: "kinfer", targets: ["kinfer"]),
        .executable(name: "kinfer-bench", targets: ["kinfer-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        // Debian's librdkafka-dev through pkg-config; never vendored.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // The only module that touches librdkafka's C API.
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The job contract: types, JSON codec, headers, topics, JobProducer.
        .target(
            name: "InferenceJobs",
            dependencies: ["Kafka"],
            resources: [.copy("Schemas")]
        ),
        // Models behind one protocol: the digits classifier, the simulated model.
        .target(
            name: "InferenceModels",
            dependencies: ["InferenceJobs"],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "InferenceWorker",
            dependencies: [
                "Kafka",
                "InferenceJobs",
                "InferenceModels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ResultsSink",
            dependencies: [
                "Kafka",
                "InferenceJobs",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ]
        ),
        // The operational HTTP side of a long-running service: /metrics, /healthz, /readyz, and the lag reporter.
        // Services record through swift-metrics only; this target owns Prometheus and Hummingbird.
        .target(
            name: "ServiceOperations",
            dependencies: [
                "Kafka",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "kinfer",
            dependencies: [
                "Kafka",
                "InferenceJobs",
                "InferenceModels",
                "InferenceWorker",
                "ResultsSink",
                "ServiceOperations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Minimal C loops over the same librdkafka: the limits the benchmarks compare against.
        .target(
            name: "CKafkaBaselines",
            dependencies: ["CRdKafka"]
        ),
        .executableTarget(
            name: "kinfer-bench",
            dependencies: [
                "Kafka",
                "CKafkaBaselines",
                "InferenceJobs",
                "InferenceModels",
                "InferenceWorker",
                "ResultsSink",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "KinferTestSupport",
            dependencies: ["Kafka"],
            path: "Tests/KinferTestSupport"
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "KinferTestSupport"], exclude: ["Interop"]),
        .testTarget(name: "InferenceJobsTests", dependencies: ["InferenceJobs", "KinferTestSupport"]),
        .testTarget(name: "InferenceModelsTests", dependencies: ["InferenceModels"]),
        .testTarget(name: "InferenceWorkerTests", dependencies: ["InferenceWorker", "ResultsSink", "KinferTestSupport"]),
        .testTarget(name: "ResultsSinkTests", dependencies: ["ResultsSink", "KinferTestSupport"]),
        .testTarget(
            name: "ServiceOperationsTests",
            dependencies: [
                "Kafka",
                "InferenceJobs",
                "InferenceModels",
                "InferenceWorker",
                "ResultsSink",
                "ServiceOperations",
                "KinferTestSupport",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "KinferCommandTests", dependencies: ["Kafka", "InferenceJobs", "ResultsSink", "KinferTestSupport"]),
    ]
)
