import Foundation
import InferenceJobs
import Kafka

/// The effective settings of one `kinfer` run: flags over `KINFER_*` environment over the config file over defaults.
///
/// Values stay strings until a command asks for one typed (``int(_:default:minimum:)``), so that a bad value is
/// reported with where it came from (`--max-attempts`, `KINFER_MAX_ATTEMPTS`, or the config file).
public struct KinferSettings: Sendable {
    /// Highest precedence first.
    let layers: [SettingsLayer]

    init(layers: [SettingsLayer]) {
        self.layers = layers
    }

    /// Layers `flags` over `environment` over the config file named by `configPath` (or `KINFER_CONFIG`).
    public static func load(flags: SettingsLayer, configPath: String?, environment: [String: String]) throws(CLIError) -> KinferSettings {
        var layers = [flags, .environment(environment)]
        if let path = configPath ?? environment["KINFER_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            layers.append(try .configFile(at: path))
        }
        return KinferSettings(layers: layers)
    }

    /// Defaults for keys that have one regardless of the command. `group` depends on the command (workers or sink).
    static let defaults: [SettingKey: String] = [
        .databaseURL: "sqlite://./kinfer-results.db",
        .httpPort: "8080",
        .jobsTopic: JobTopics().jobs,
        .resultsTopic: JobTopics().results,
        .retryTopic: JobTopics().retry,
        .dlqTopic: JobTopics().deadLetter,
        .resultsDLQTopic: JobTopics().resultsDeadLetter,
        .callbacksRetryTopic: JobTopics().callbacksRetry,
        .callbacksDLQTopic: JobTopics().callbacksDeadLetter,
        .model: "digits",
        .modelTimeoutMs: "10000",
        .modelMaxConcurrency: "8",
        .maxBatchSize: "64",
        .maxBatchDelayMs: "5",
        .maxInFlight: "2000",
        .maxConcurrentBatches: "4",
        .maxAttempts: "3",
        .retryBaseDelayMs: "200",
        .retryMaxDelayMs: "30000",
        .commitIntervalMs: "200",
        .gracePeriodSeconds: "20",
        .simulatedLatencyMs: "0",
        .simulatedFailureRate: "0",
        .tokenIntervalMs: "50",
        .tokenCount: "100",
    ]

    /// The consumer groups' defaults; public for `kinfer demo`, which runs these groups itself.
    public static let workerGroup = "kinfer-workers"
    public static let sinkGroup = "kinfer-sink"
    /// The default sink's pending-job recorder, which the gateway waits for on a look-up that misses.
    public static let pendingRecorderGroup = pendingRecorderGroup(ofSink: sinkGroup)
    public static let notifierGroup = "kinfer-notifier"

    /// The group of the pending-job recorder a sink in `group` runs: `<group>-pending`.
    public static func pendingRecorderGroup(ofSink group: String) -> String { "\(group)-pending" }

    /// The value of `key` and where it came from, or `nil` when no layer sets it.
    func lookup(_ key: SettingKey) -> (value: String, origin: String)? {
        for layer in layers {
            if let value = layer.values[key] { return (value, layer.origin) }
        }
        return nil
    }

    /// The value of `key`, its default, or `nil`.
    public func string(_ key: SettingKey) -> String? {
        lookup(key)?.value ?? Self.defaults[key]
    }

    /// Where `key`'s value came from, `default` or `unset`.
    func origin(of key: SettingKey) -> String {
        lookup(key)?.origin ?? (Self.defaults[key] == nil ? "unset" : "default")
    }

    /// A whole number of at least `minimum`.
    func int(_ key: SettingKey, minimum: Int = 0) throws(CLIError) -> Int {
        let text = string(key) ?? "0"
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= minimum else {
            throw invalid(key, text, "a whole number of at least \(minimum)")
        }
        return value
    }

    /// A number in `range`.
    func double(_ key: SettingKey, in range: ClosedRange<Double>) throws(CLIError) -> Double {
        let text = string(key) ?? "0"
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw invalid(key, text, "a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// The consumer group: `group` if set anywhere, else `fallback` (the command's own default).
    public func group(defaultingTo fallback: String) -> String {
        lookup(.group)?.value ?? fallback
    }

    /// The pipeline's topic names, as the topic flags, variables and keys set them.
    public var topics: JobTopics {
        JobTopics(
            jobs: string(.jobsTopic)!, results: string(.resultsTopic)!,
            retry: string(.retryTopic)!, deadLetter: string(.dlqTopic)!,
            resultsDeadLetter: string(.resultsDLQTopic)!,
            callbacksRetry: string(.callbacksRetryTopic)!, callbacksDeadLetter: string(.callbacksDLQTopic)!
        )
    }

    /// librdkafka properties with their origin; a higher layer's value for a property wins.
    var kafkaProperties: [String: (value: String, origin: String)] {
        var merged: [String: (value: String, origin: String)] = [:]
        for layer in layers.reversed() {
            for (name, value) in layer.kafkaProperties { merged[name] = (value, layer.origin) }
        }
        return merged
    }

    /// `host:port` entries, or an error saying how to give them.
    func bootstrapServers() throws(CLIError) -> [String] {
        let servers = (string(.bootstrapServers) ?? kafkaProperties["bootstrap.servers"]?.value ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !servers.isEmpty else {
            throw CLIError(
                "no Kafka brokers given",
                hint: "pass --bootstrap-servers HOST:PORT or set KINFER_BOOTSTRAP_SERVERS (start a local cluster with `kinfer broker`)"
            )
        }
        return servers
    }

    /// Settings for one librdkafka client: the brokers, then every pass-through property.
    ///
    /// `socket.connection.setup.timeout.ms` defaults to 5 seconds (librdkafka's is 30) so that a wrong address
    /// fails fast; a pass-through property overrides it. Properties are checked by librdkafka here.
    public func kafkaConfiguration() throws(CLIError) -> KafkaConfiguration {
        var properties = ["socket.connection.setup.timeout.ms": "5000"]
        for (name, entry) in kafkaProperties { properties[name] = entry.value }
        let configuration = KafkaConfiguration(bootstrapServers: try bootstrapServers(), properties: properties)
        do {
            try configuration.validate()
        } catch {
            throw CLIError("invalid Kafka property: \(error.message)", hint: "check --kafka-property, KINFER_KAFKA_* and the config file's \"kafka\" object")
        }
        return configuration
    }

    private func invalid(_ key: SettingKey, _ text: String, _ expected: String) -> CLIError {
        CLIError("\(source(of: key)) must be \(expected), not '\(text)'", hint: "fix the value and run again")
    }

    /// Where `key` was set, as a reader would look for it: `--max-batch-size`, `KINFER_MAX_BATCH_SIZE`, or
    /// `"max_batch_size" in the config file PATH`.
    func source(of key: SettingKey) -> String {
        switch lookup(key)?.origin ?? "default" {
        case "flag": key.flag
        case "environment": key.environmentName
        case let origin: "\"\(key.rawValue)\" in the \(origin)"
        }
    }
}
