// swift-tools-version:6.0
import PackageDescription

// Layers depend one way only:
// CRdKafka -> Kafka -> InferenceJobs -> InferenceModels -> InferenceWorker / ResultsSink / Notifier / Gateway /
// ServiceOperations -> KinferApp -> kinfer; kinfer-bench beside KinferApp.
// KinferApp is the application: settings and their layering, one builder per service, operations, job submission,
// result lookup, dead letters, topic creation, the demo. The kinfer executable only parses arguments, calls KinferApp and prints.
// Notifier (callbacks: SSRF guard, webhook signing, delivery) sits beside the worker, on the contract.
// OpenInferenceModels (InferenceModels + AsyncHTTPClient) sits beside the worker, so HTTP stays out of it;
// ChatCompletionModels (OpenAI-compatible streaming generation) likewise.
// Gateway (the HTTP API on Hummingbird) sits beside the worker and the sink, on the contract and the results store.
let package = Package(
    name: "kinfer",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "InferenceJobs", targets: ["InferenceJobs"]),
        .library(name: "JobClient", targets: ["JobClient"]),
        .library(name: "EmbeddedKafka", targets: ["EmbeddedKafka"]),
        .library(name: "InferenceModels", targets: ["InferenceModels"]),
        .library(name: "OpenInferenceModels", targets: ["OpenInferenceModels"]),
        .library(name: "ChatCompletionModels", targets: ["ChatCompletionModels"]),
        .library(name: "InferenceWorker", targets: ["InferenceWorker"]),
        .library(name: "ResultStore", targets: ["ResultStore"]),
        .library(name: "ResultsSink", targets: ["ResultsSink"]),
        .library(name: "ServiceOperations", targets: ["ServiceOperations"]),
        .library(name: "Gateway", targets: ["Gateway"]),
        .library(name: "Notifier", targets: ["Notifier"]),
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
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.100.0"),
        // Already in the graph through postgres-nio; the gateway hashes API keys and bodies with its SHA-256.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
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
                "AsyncWaiting",
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // librdkafka's mock cluster in this process: the embedded default for the demo, the tests and the benchmarks.
        // Beside the production client, not inside it.
        .target(
            name: "EmbeddedKafka",
            dependencies: ["CRdKafka", "Kafka", .product(name: "Logging", package: "swift-log")]
        ),
        // The job contract: types, JSON codec, headers, topics, the JSON Schemas. No Kafka.
        .target(
            name: "InferenceJobs",
            resources: [.copy("Schemas")]
        ),
        // A client of the contract: submits jobs to the jobs topic. Apart from it, so that the contract, the models
        // and the model-server client link no librdkafka.
        .target(name: "JobClient", dependencies: ["Kafka", "InferenceJobs"]),
        // Models behind one protocol: the digits classifier, the simulated model.
        .target(
            name: "InferenceModels",
            dependencies: ["AsyncWaiting", "InferenceJobs"],
            resources: [.copy("Resources")]
        ),
        // Models served by a model server over the Open Inference Protocol (KServe v2 REST).
        .target(
            name: "ModelServerHTTP",
            dependencies: [
                "InferenceJobs",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "OpenInferenceModels",
            dependencies: [
                "InferenceJobs",
                "InferenceModels",
                "ModelServerHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Generative models served by an OpenAI-compatible server (vLLM, llama.cpp, Ollama, TGI): streamed chat
        // completions read as server-sent events.
        .target(
            name: "ChatCompletionModels",
            dependencies: [
                "InferenceJobs",
                "InferenceModels",
                "ModelServerHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What every consumer-group service shares: which offsets may be committed when work finishes out of order,
        // how dead letters and retries carry their origin and reason, and the metrics reported under the same names.
        // One cancellable wait, for every type whose callers wait on a locked state.
        .target(name: "AsyncWaiting"),
        .target(name: "ConsumerKit", dependencies: ["Kafka", "InferenceJobs", .product(name: "Metrics", package: "swift-metrics")]),
        .target(
            name: "InferenceWorker",
            dependencies: [
                "AsyncWaiting",
                "Kafka",
                "ConsumerKit",
                "InferenceJobs",
                "InferenceModels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Results and the gateway's admissions in PostgreSQL or SQLite: the store protocols, both stores, migrations.
        // Apart from the sink service, so that a reader of results (the gateway, `kinfer status`) links no sink.
        .target(
            name: "ResultStore",
            dependencies: [
                "InferenceJobs",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ]
        ),
        .target(
            name: "ResultsSink",
            dependencies: [
                "Kafka",
                "ConsumerKit",
                "InferenceJobs",
                "ResultStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The operational HTTP side of a long-running service: /metrics, /healthz, /readyz, and the lag reporter.
        // Services record through swift-metrics only; this target owns Prometheus and Hummingbird.
        .target(
            name: "ServiceOperations",
            dependencies: [
                "ConsumerKit",
                "Kafka",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The HTTP API: POST /v1/jobs onto the jobs topic, GET /v1/jobs/{id} from the results store, /v1/predict and
        // /v1/jobs/{id}/events through a follower of the results topic.
        .target(
            name: "Gateway",
            dependencies: [
                "JobClient",
                "Kafka",
                "InferenceJobs",
                "ResultStore",
                "CallbackSafety",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        // The SSRF guard for callback URLs: a pure decision, shared by the gateway (refusing a URL at submit) and the
        // notifier (before it connects).
        .target(name: "CallbackSafety"),
        // Callbacks (issue #18): Standard Webhooks signing and delivery over HTTP, behind the guard. The signer is
        // pure; only the delivery client and the resolver touch the network.
        .target(
            name: "Notifier",
            dependencies: [
                "Kafka",
                "ConsumerKit",
                "InferenceJobs",
                "CallbackSafety",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The application behind the `kinfer` command: settings (flags > KINFER_* environment > config file >
        // defaults), the services built from them, operations, dead-letter replay, topic creation. No argument
        // parsing, no printing.
        .target(
            name: "KinferApp",
            dependencies: [
                "ConsumerKit",
                "Kafka",
                "JobClient",
                "InferenceJobs",
                "InferenceModels",
                "OpenInferenceModels",
                "ChatCompletionModels",
                "InferenceWorker",
                "ResultStore",
                "ResultsSink",
                "Notifier",
                "Gateway",
                "ServiceOperations",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "CallbackSafety",
                // kinfer demo traps SIGINT and SIGTERM with a cancellable sequence while its jobs run.
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // kinfer broker and kinfer demo run an embedded cluster; the demo submits through the gateway over
                // HTTP as a client would, and receives callbacks.
                "EmbeddedKafka",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Argument parsing and printing only: each command turns its flags into a settings layer and calls KinferApp.
        .executableTarget(
            name: "kinfer",
            dependencies: [
                "KinferApp",
                "JobClient",
                "CallbackSafety",
                "Gateway",
                "Kafka",
                "InferenceJobs",
                "InferenceModels",
                "Notifier",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libFuzzer's target for the job contract's decoders (scripts/fuzz); without the fuzzer, a corpus replayer.
        .executableTarget(
            name: "kinfer-fuzz-codec",
            dependencies: ["InferenceJobs", "CFuzzerDriver"]
        ),
        .target(name: "CFuzzerDriver"),
        // Minimal C loops over the same librdkafka: the limits the benchmarks compare against; and the worker loop
        // with the job contract's JSON in C++ against Debian's libsimdjson-dev (worker_json.cpp).
        .target(
            name: "CKafkaBaselines",
            dependencies: ["CRdKafka"],
            cxxSettings: [
                .define("SIMDJSON_THREADS_ENABLED", to: "1"),  // as `pkg-config --cflags simdjson` says
                // simdjson's on-demand API takes its SIMD kernel from the compiler's target: for baseline x86-64 that
                // is the scalar fallback, not the reference a C++ team would ship.
                .unsafeFlags(["-march=native"]),
            ],
            linkerSettings: [.linkedLibrary("simdjson")]
        ),
        .executableTarget(
            name: "kinfer-bench",
            dependencies: [
                "EmbeddedKafka",
                "JobClient",
                "Kafka",
                "CKafkaBaselines",
                "InferenceJobs",
                "InferenceModels",
                "OpenInferenceModels",
                // The streaming case reads the gateway's event streams with the chat client's parser.
                "ChatCompletionModels",
                "InferenceWorker",
                "ResultStore",
                "ResultsSink",
                // The gateway case runs kinfer's gateway (with a worker and the sink) in the bench process.
                "Gateway",
                "KinferTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "KinferTestSupport",
            dependencies: [
                "InferenceJobs",
                "ResultStore",
                "Kafka",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/KinferTestSupport"
        ),
        .testTarget(name: "KafkaTests", dependencies: ["EmbeddedKafka", "Kafka", "KinferTestSupport"], exclude: ["Interop"]),
        .testTarget(name: "InferenceJobsTests", dependencies: ["InferenceJobs", "KinferTestSupport"]),
        .testTarget(name: "InferenceModelsTests", dependencies: ["InferenceModels"]),
        .testTarget(name: "ConsumerKitTests", dependencies: ["ConsumerKit", "Kafka", "InferenceJobs"]),
        .testTarget(
            name: "InferenceWorkerTests",
            dependencies: [
                "EmbeddedKafka",
                "JobClient",
                "InferenceWorker", "ResultStore", "ResultsSink", "OpenInferenceModels", "KinferTestSupport",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            exclude: ["Python"]
        ),
        .testTarget(
            name: "OpenInferenceModelsTests",
            dependencies: [
                "OpenInferenceModels",
                "InferenceJobs",
                "InferenceModels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ChatCompletionModelsTests",
            dependencies: [
                "ChatCompletionModels",
                "InferenceJobs",
                "InferenceModels",
                "KinferTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ResultStoreTests", dependencies: ["ResultStore", "InferenceJobs", "KinferTestSupport"]),
        .testTarget(name: "ResultsSinkTests", dependencies: ["EmbeddedKafka", "ResultsSink", "ResultStore", "InferenceJobs", "KinferTestSupport"]),
        .testTarget(
            name: "ServiceOperationsTests",
            dependencies: [
                "ConsumerKit",
                "EmbeddedKafka",
                "JobClient",
                "Kafka",
                "InferenceJobs",
                "InferenceModels",
                "InferenceWorker",
                "ResultStore",
                "ResultsSink",
                "ServiceOperations",
                "KinferTestSupport",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "EmbeddedKafka",
                "Gateway",
                "CallbackSafety",
                "Kafka",
                "InferenceJobs",
                "InferenceModels",
                "InferenceWorker",
                "ResultStore",
                "ResultsSink",
                "KinferTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "NotifierTests",
            dependencies: [
                "EmbeddedKafka",
                "Notifier",
                "CallbackSafety",
                "InferenceJobs",
                "KinferTestSupport",
                "Kafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Settings layering without launching the binary.
        .testTarget(name: "KinferAppTests", dependencies: ["KinferApp"]),
        .testTarget(
            name: "KinferCommandTests",
            dependencies: [
                "JobClient",
                "Kafka", "InferenceJobs", "ResultStore", "ResultsSink", "Notifier", "KinferTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
