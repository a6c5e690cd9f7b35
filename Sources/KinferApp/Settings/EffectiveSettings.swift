import Kafka

/// What `kinfer config` shows: every setting a command would run with, secrets masked, with where it came from.
///
/// Built here rather than in the command so that the command only prints, and the masking rules stay beside the
/// settings they mask.
public enum EffectiveSettings {
    /// One line of the listing: a section heading, or a `name=value` setting with its origin.
    public enum Line: Sendable, Equatable {
        case heading(String)
        case setting(String, origin: String)
    }

    /// The listing, in the order `kinfer config` prints it.
    public static func lines(_ settings: KinferSettings) -> [Line] {
        var lines: [Line] = [.heading("# Kafka client properties")]
        let properties = settings.kafkaProperties
        if let servers = try? settings.bootstrapServers() {
            let kafka = KafkaConfiguration(bootstrapServers: servers, properties: properties.mapValues(\.value))
            for line in kafka.redactedDescription.split(separator: "\n") {
                let name = String(line.prefix { $0 != "=" })
                let origin = name == "bootstrap.servers" ? settings.origin(of: .bootstrapServers) : properties[name]?.origin ?? "default"
                lines.append(.setting(String(line), origin: origin))
            }
        } else {
            lines.append(.setting("bootstrap.servers=(not set)", origin: "unset"))
            for name in properties.keys.sorted() {
                let value = KafkaConfiguration.isSecret(name) ? "*****" : properties[name]!.value
                lines.append(.setting("\(name)=\(value)", origin: properties[name]!.origin))
            }
        }
        lines.append(.heading("# Topics"))
        for key in [SettingKey.jobsTopic, .resultsTopic, .retryTopic, .dlqTopic, .resultsDLQTopic, .callbacksRetryTopic, .callbacksDLQTopic] {
            lines.append(plain(key, settings))
        }
        lines.append(.heading("# Groups"))
        let groupOrigin = settings.lookup(.group)?.origin ?? "default"
        lines.append(.setting("group.worker=\(settings.group(defaultingTo: KinferSettings.workerGroup))", origin: groupOrigin))
        lines.append(.setting("group.sink=\(settings.group(defaultingTo: KinferSettings.sinkGroup))", origin: groupOrigin))
        lines.append(.heading("# Results database"))
        lines.append(.setting("database_url=\(redactedURL(settings.string(.databaseURL)!))", origin: settings.origin(of: .databaseURL)))
        lines.append(.heading("# Worker"))
        lines.append(.setting("model_url=\(settings.string(.modelURL).map(redactedURL) ?? "(not set)")", origin: settings.origin(of: .modelURL)))
        for key: SettingKey in [
            .httpPort, .model, .modelName, .modelTimeoutMs, .modelMaxConcurrency, .maxBatchSize, .maxBatchDelayMs, .maxInFlight, .maxConcurrentBatches,
            .maxAttempts, .retryBaseDelayMs, .retryMaxDelayMs, .commitIntervalMs, .gracePeriodSeconds, .simulatedLatencyMs, .simulatedFailureRate,
            .tokenIntervalMs, .tokenCount, .workerName, .logLevel,
        ] {
            lines.append(plain(key, settings))
        }
        lines.append(masked(.modelAPIKey, settings))
        lines.append(.heading("# Gateway and notifier"))
        lines.append(.setting("gateway_api_key_hashes=\(settings.string(.gatewayAPIKeyHashes) ?? "(not set)")", origin: settings.origin(of: .gatewayAPIKeyHashes)))
        lines.append(masked(.webhookSecret, settings))
        lines.append(.heading("# Sink"))
        lines.append(.setting("retention_hours=\(settings.lookup(.retentionHours)?.value ?? "168")", origin: settings.lookup(.retentionHours)?.origin ?? "default"))
        return lines
    }

    /// Refuses a value the worker would refuse; `kinfer config` reports it after the listing.
    public static func checkAsWorker(_ settings: KinferSettings) throws(CLIError) {
        _ = try WorkerSettings(settings)
    }

    private static func plain(_ key: SettingKey, _ settings: KinferSettings) -> Line {
        .setting("\(key.rawValue)=\(settings.string(key) ?? "(not set)")", origin: settings.origin(of: key))
    }

    private static func masked(_ key: SettingKey, _ settings: KinferSettings) -> Line {
        .setting("\(key.rawValue)=\(settings.string(key) == nil ? "(not set)" : "*****")", origin: settings.origin(of: key))
    }
}
