import Foundation
import Testing

@Suite("kinfer config: layering and masking")
struct ConfigTests {
    @Test("KINFER_KAFKA_SASL_PASSWORD passes through as sasl.password and is masked")
    func masksSecrets() async throws {
        let result = try await KinferBinary.run(
            ["config", "--bootstrap-servers", "kafka:9092", "--database", "postgres://kinfer:dbsecret@db:5432/kinfer"],
            environment: [
                "KINFER_KAFKA_SASL_PASSWORD": "hunter2", "KINFER_KAFKA_SASL_MECHANISM": "PLAIN",
                "KINFER_KAFKA_SASL_USERNAME": "alice", "KINFER_KAFKA_SECURITY_PROTOCOL": "sasl_ssl",
            ],
            timeout: .seconds(30)
        )
        #expect(result.succeeded, "\(result)")
        let text = result.standardOutputText
        #expect(text.contains("sasl.password=*****"))
        #expect(text.contains("sasl.mechanism=PLAIN"))
        #expect(text.contains("sasl.username=alice"))
        #expect(text.contains("bootstrap.servers=kafka:9092"))
        #expect(text.contains("database_url=postgres://kinfer:*****@db:5432/kinfer"))
        #expect(!text.contains("hunter2") && !result.standardErrorText.contains("hunter2"))
        #expect(!text.contains("dbsecret"))
    }

    @Test("flags beat KINFER_* beat the config file beat defaults")
    func precedence() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("kinfer.json")
        try Data("""
            {"bootstrap_servers": "file:9092", "group": "file-group", "max_batch_size": 8, "http_port": 9000,
             "jobs_topic": "file-jobs", "kafka": {"client.id": "from-file", "linger.ms": "7"}}
            """.utf8).write(to: file)
        let result = try await KinferBinary.run(
            ["config", "--config", file.path, "--group", "flag-group", "--kafka-property", "client.id=from-flag", "--show-origin"],
            environment: [
                "KINFER_GROUP": "env-group", "KINFER_MAX_BATCH_SIZE": "16", "KINFER_BOOTSTRAP_SERVERS": "env:9092",
                "KINFER_RESULTS_DLQ_TOPIC": "env-results-dlq",
            ],
            timeout: .seconds(30)
        )
        #expect(result.succeeded, "\(result)")
        let lines = result.outputLines.map(String.init)
        func line(_ prefix: String) -> String? { lines.first { $0.hasPrefix(prefix) } }
        #expect(line("group.worker=")?.hasPrefix("group.worker=flag-group") == true)
        #expect(line("bootstrap.servers=")?.hasPrefix("bootstrap.servers=env:9092") == true)
        #expect(line("max_batch_size=")?.hasPrefix("max_batch_size=16") == true)
        #expect(line("http_port=")?.hasPrefix("http_port=9000") == true)
        #expect(line("jobs_topic=")?.hasPrefix("jobs_topic=file-jobs") == true)
        #expect(line("results_topic=")?.hasPrefix("results_topic=inference-results") == true)
        #expect(line("client.id=")?.hasPrefix("client.id=from-flag") == true)
        #expect(line("linger.ms=")?.hasPrefix("linger.ms=7") == true)
        #expect(line("max_batch_size=")?.hasSuffix("# environment") == true)
        #expect(line("results_topic=")?.hasSuffix("# default") == true)
        #expect(line("results_dlq_topic=") == "results_dlq_topic=env-results-dlq    # environment")
    }

    @Test("the sink's retention comes from KINFER_RETENTION_HOURS when no flag sets it")
    func sinkRetentionFromEnvironment() async throws {
        let result = try await KinferBinary.run(["config", "--show-origin"], environment: ["KINFER_RETENTION_HOURS": "5"])
        try result.requireSuccess()
        let line = try #require(result.outputLines.first { $0.hasPrefix("retention_hours=") })
        #expect(line.hasPrefix("retention_hours=5"))
        #expect(line.hasSuffix("# environment"), "\(line)")
    }

    @Test("the model server's URL comes from KINFER_MODEL_URL, its password masked")
    func modelURLFromEnvironment() async throws {
        let result = try await KinferBinary.run(
            ["config", "--show-origin", "--model-timeout-ms", "2500"],
            environment: ["KINFER_MODEL_URL": "http://kinfer:modelsecret@models:8080/v2/models/digits"]
        )
        try result.requireSuccess()
        let url = try #require(result.outputLines.first { $0.hasPrefix("model_url=") })
        #expect(url == "model_url=http://kinfer:*****@models:8080/v2/models/digits    # environment")
        let timeout = try #require(result.outputLines.first { $0.hasPrefix("model_timeout_ms=") })
        #expect(timeout == "model_timeout_ms=2500    # flag")
        #expect(!result.standardOutputText.contains("modelsecret"))
    }

    @Test("the webhook secret and API key hashes come from the config file; the secret is never printed, nor repeated when refused")
    func secretsFromTheConfigFile() async throws {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let hash = "48f9ec586223479c6b05ad2cc11300b15689fd0de250766c616d8befbca5deaa"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-\(UUID().uuidString).json")
        try Data(#"{"webhook_secret": "\#(secret)", "gateway_api_key_hashes": "\#(hash)"}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let shown = try await KinferBinary.run(["config", "--config", file.path, "--show-origin"], timeout: .seconds(30))
        #expect(shown.succeeded, "\(shown)")
        let lines = shown.outputLines.map(String.init)
        #expect(lines.contains("webhook_secret=*****    # config file \(file.path)"), "\(shown)")
        #expect(lines.contains("gateway_api_key_hashes=\(hash)    # config file \(file.path)"), "\(shown)")
        #expect(!shown.standardOutputText.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))

        // A malformed secret in the file: refused before any connection, naming the file's key, not the value.
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-\(UUID().uuidString).json")
        try Data(#"{"webhook_secret": "whsec_not-base64!!-hunter2"}"#.utf8).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        let refused = try await KinferBinary.run(
            ["notifier", "--config", bad.path, "--bootstrap-servers", "127.0.0.1:9", "--http-port", "0"], timeout: .seconds(30)
        )
        #expect(refused.termination == .exited(1), "\(refused)")
        #expect(refused.standardErrorText.contains(#""webhook_secret" in the config file \#(bad.path)"#), "\(refused)")
        #expect(!refused.standardErrorText.contains("hunter2") && !refused.standardOutputText.contains("hunter2"), "\(refused)")
    }

    @Test("the worker's retry backoff and commit interval are settings like the rest; a maximum below the base is refused")
    func retryAndCommitSettings() async throws {
        let shown = try await KinferBinary.run(
            ["config", "--retry-base-delay-ms", "50", "--commit-interval-ms", "100", "--show-origin"],
            environment: ["KINFER_RETRY_MAX_DELAY_MS": "4000"], timeout: .seconds(30)
        )
        #expect(shown.succeeded, "\(shown)")
        let lines = shown.outputLines.map(String.init)
        #expect(lines.contains("retry_base_delay_ms=50    # flag"), "\(shown)")
        #expect(lines.contains("retry_max_delay_ms=4000    # environment"), "\(shown)")
        #expect(lines.contains("commit_interval_ms=100    # flag"), "\(shown)")

        let refused = try await KinferBinary.run(["config", "--retry-base-delay-ms", "500", "--retry-max-delay-ms", "100"], timeout: .seconds(30))
        #expect(refused.termination == .exited(1), "\(refused)")
        #expect(refused.errorLines.count == 1, "\(refused)")
        #expect(refused.standardErrorText.contains("--retry-max-delay-ms") && refused.standardErrorText.contains("--retry-base-delay-ms"), "\(refused)")
    }

    @Test("the generator's pace and an OpenAI-compatible model server are settings like the rest; the model's API key is masked")
    func generatorAndChatModelSettings() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-\(UUID().uuidString).json")
        try Data(#"{"token_count": 12, "model_name": "qwen2.5"}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let shown = try await KinferBinary.run(
            ["config", "--config", file.path, "--show-origin", "--model", "generator", "--token-interval-ms", "20",
             "--model-url", "http://127.0.0.1:8000/v1/chat/completions"],
            environment: ["KINFER_MODEL_API_KEY": "sk-secret-4f2a"], timeout: .seconds(30)
        )
        #expect(shown.succeeded, "\(shown)")
        let lines = shown.outputLines.map(String.init)
        #expect(lines.contains("model=generator    # flag"), "\(shown)")
        #expect(lines.contains("token_interval_ms=20    # flag"), "\(shown)")
        #expect(lines.contains("token_count=12    # config file \(file.path)"), "\(shown)")
        #expect(lines.contains("model_name=qwen2.5    # config file \(file.path)"), "\(shown)")
        #expect(lines.contains("model_url=http://127.0.0.1:8000/v1/chat/completions    # flag"), "\(shown)")
        #expect(lines.contains("model_api_key=*****    # environment"), "\(shown)")
        #expect(!shown.standardOutputText.contains("sk-secret-4f2a") && !shown.standardErrorText.contains("sk-secret-4f2a"))

        let defaults = try await KinferBinary.run(["config"], timeout: .seconds(30))
        #expect(defaults.succeeded, "\(defaults)")
        let defaultLines = defaults.outputLines.map(String.init)
        for line in ["token_interval_ms=50", "token_count=100", "model_name=(not set)", "model_api_key=(not set)"] {
            #expect(defaultLines.contains(line), "\(line): \(defaults)")
        }

        // A key only an OpenAI-compatible server would get is refused with an Open Inference URL, without repeating it.
        let refused = try await KinferBinary.run(
            ["config", "--model-url", "http://127.0.0.1:8080/v2/models/digits"],
            environment: ["KINFER_MODEL_API_KEY": "sk-secret-4f2a"], timeout: .seconds(30)
        )
        #expect(refused.termination == .exited(1), "\(refused)")
        #expect(refused.errorLines.count == 1 && refused.standardErrorText.contains("KINFER_MODEL_API_KEY"), "\(refused)")
        #expect(!refused.standardErrorText.contains("sk-secret-4f2a") && !refused.standardOutputText.contains("sk-secret-4f2a"))
    }

    @Test("an unknown key in the config file is named")
    func unknownKey() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-\(UUID().uuidString).json")
        try Data(#"{"max_batch_sise": 8}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await KinferBinary.run(["config", "--config", file.path], timeout: .seconds(30))
        #expect(result.termination == .exited(1), "\(result)")
        #expect(result.errorLines.count == 1 && result.standardErrorText.contains("max_batch_sise"), "\(result)")
    }
}
