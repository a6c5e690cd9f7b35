import ArgumentParser
import Kafka

extension Kinfer {
    /// `kinfer config`: the settings a command would run with, secrets masked.
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective configuration, with secrets masked.",
            discussion: """
                Shows what flags, KINFER_* variables, the config file and defaults add up to: Kafka properties \
                (passwords and secrets as *****), topics, groups, the results database (password masked), the \
                gateway's API key hashes, whether a webhook secret and a model API key are set, and the worker's settings. Accepts \
                every flag the worker does. Needs no broker.
                """
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @Option(help: ArgumentHelp("The results database URL. Also KINFER_DATABASE_URL.", valueName: "url"))
        var database: String?

        @Flag(help: "Show where each value comes from (flag, environment, config file, default).")
        var showOrigin = false

        @OptionGroup(title: "Worker")
        var worker: WorkerOptions

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            worker.apply(to: &flags)
            topics.apply(to: &flags)
            flags.set(.databaseURL, database)
            let settings = try common.settings(flags)
            let properties = settings.kafkaProperties

            Terminal.output("# Kafka client properties")
            if let servers = try? settings.bootstrapServers() {
                let kafka = KafkaConfiguration(bootstrapServers: servers, properties: properties.mapValues(\.value))
                for line in kafka.redactedDescription.split(separator: "\n") {
                    let name = String(line.prefix { $0 != "=" })
                    let origin = name == "bootstrap.servers" ? settings.origin(of: .bootstrapServers) : properties[name]?.origin ?? "default"
                    emit(String(line), origin)
                }
            } else {
                emit("bootstrap.servers=(not set)", "unset")
                for name in properties.keys.sorted() {
                    let value = KafkaConfiguration.isSecret(name) ? "*****" : properties[name]!.value
                    emit("\(name)=\(value)", properties[name]!.origin)
                }
            }
            Terminal.output("# Topics")
            for key in [SettingKey.jobsTopic, .resultsTopic, .retryTopic, .dlqTopic, .resultsDLQTopic, .callbacksRetryTopic, .callbacksDLQTopic] { setting(key, settings) }
            Terminal.output("# Groups")
            let groupOrigin = settings.lookup(.group)?.origin ?? "default"
            emit("group.worker=\(settings.group(defaultingTo: KinferSettings.workerGroup))", groupOrigin)
            emit("group.sink=\(settings.group(defaultingTo: KinferSettings.sinkGroup))", groupOrigin)
            Terminal.output("# Results database")
            emit("database_url=\(redactedURL(settings.string(.databaseURL)!))", settings.origin(of: .databaseURL))
            Terminal.output("# Worker")
            emit("model_url=\(settings.string(.modelURL).map(redactedURL) ?? "(not set)")", settings.origin(of: .modelURL))
            for key: SettingKey in [
                .httpPort, .model, .modelName, .modelTimeoutMs, .modelMaxConcurrency, .maxBatchSize, .maxBatchDelayMs, .maxInFlight, .maxConcurrentBatches,
                .maxAttempts, .retryBaseDelayMs, .retryMaxDelayMs, .commitIntervalMs, .gracePeriodSeconds, .simulatedLatencyMs, .simulatedFailureRate,
                .tokenIntervalMs, .tokenCount, .workerName, .logLevel,
            ] {
                setting(key, settings)
            }
            emit("model_api_key=\(settings.string(.modelAPIKey) == nil ? "(not set)" : "*****")", settings.origin(of: .modelAPIKey))
            Terminal.output("# Gateway and notifier")
            emit("gateway_api_key_hashes=\(settings.string(.gatewayAPIKeyHashes) ?? "(not set)")", settings.origin(of: .gatewayAPIKeyHashes))
            emit("webhook_secret=\(settings.string(.webhookSecret) == nil ? "(not set)" : "*****")", settings.origin(of: .webhookSecret))
            Terminal.output("# Sink")
            emit("retention_hours=\(settings.lookup(.retentionHours)?.value ?? "168")", settings.lookup(.retentionHours)?.origin ?? "default")
            _ = try WorkerSettings(settings)  // report a bad value the worker would refuse
        }

        private func setting(_ key: SettingKey, _ settings: KinferSettings) {
            emit("\(key.rawValue)=\(settings.string(key) ?? "(not set)")", settings.origin(of: key))
        }

        private func emit(_ line: String, _ origin: String) {
            Terminal.output(showOrigin ? "\(line)    # \(origin)" : line)
        }
    }
}
