import Foundation
import Testing

@testable import KinferApp

/// Settings layering without launching the binary: flags over `KINFER_*` over the config file over defaults.
@Suite struct SettingsLayeringTests {
    /// A config file in a fresh temporary directory, removed by `body`'s end.
    private func withConfigFile(_ json: String, _ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-settings-\(UUID().uuidString).json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    @Test func flagsBeatEnvironmentBeatFileBeatDefaults() throws {
        try withConfigFile(#"{"max_batch_size": 16, "max_attempts": 7, "group": "from-file", "kafka": {"client.id": "file"}}"#) { path in
            var flags = SettingsLayer(origin: "flag")
            flags.set(.maxBatchSize, 64)
            flags.kafkaProperties["client.id"] = "flag"
            let environment = ["KINFER_MAX_BATCH_SIZE": "32", "KINFER_MAX_ATTEMPTS": "5", "KINFER_KAFKA_CLIENT_ID": "env"]
            let settings = try KinferSettings.load(flags: flags, configPath: path, environment: environment)

            #expect(settings.string(.maxBatchSize) == "64")
            #expect(settings.source(of: .maxBatchSize) == "--max-batch-size")
            #expect(settings.string(.maxAttempts) == "5")
            #expect(settings.source(of: .maxAttempts) == "KINFER_MAX_ATTEMPTS")
            #expect(settings.group(defaultingTo: KinferSettings.workerGroup) == "from-file")
            #expect(settings.origin(of: .group) == "config file \(path)")
            #expect(settings.string(.commitIntervalMs) == "200")
            #expect(settings.origin(of: .commitIntervalMs) == "default")
            #expect(settings.kafkaProperties["client.id"]?.value == "flag")
        }
    }

    @Test func configPathFromEnvironmentAndEmptyVariablesCountAsUnset() throws {
        try withConfigFile(#"{"model": "simulated"}"#) { path in
            let settings = try KinferSettings.load(
                flags: SettingsLayer(origin: "flag"), configPath: nil, environment: ["KINFER_CONFIG": path, "KINFER_MODEL": ""]
            )
            #expect(settings.string(.model) == "simulated")
        }
    }

    @Test func kafkaPassThroughVariablesNameLibrdkafkaProperties() {
        let layer = SettingsLayer.environment(["KINFER_KAFKA_SASL_PASSWORD": "secret", "KINFER_KAFKA_LOG_LEVEL": "7", "OTHER_KAFKA_X": "y"])
        #expect(layer.kafkaProperties == ["sasl.password": "secret", "log_level": "7"])
    }

    @Test func unknownConfigKeyIsRefusedWithTheKnownKeys() throws {
        try withConfigFile(#"{"max_batch_sise": 16}"#) { path in
            #expect {
                _ = try KinferSettings.load(flags: SettingsLayer(origin: "flag"), configPath: path, environment: [:])
            } throws: { error in
                let text = (error as? CLIError)?.description ?? ""
                return text.hasPrefix("unknown key \"max_batch_sise\" in the config file \(path); known keys: bootstrap_servers,")
            }
        }
    }

    @Test func badValueNamesWhereItCameFrom() throws {
        let settings = try KinferSettings.load(flags: SettingsLayer(origin: "flag"), configPath: nil, environment: ["KINFER_MAX_ATTEMPTS": "zero"])
        #expect {
            _ = try settings.int(.maxAttempts, minimum: 1)
        } throws: { error in
            (error as? CLIError)?.problem == "KINFER_MAX_ATTEMPTS must be a whole number of at least 1, not 'zero'"
        }
    }
}
