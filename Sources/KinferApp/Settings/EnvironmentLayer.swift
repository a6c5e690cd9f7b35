extension SettingsLayer {
    /// The prefix of librdkafka pass-through variables: `KINFER_KAFKA_SASL_PASSWORD` is `sasl.password`.
    static let kafkaEnvironmentPrefix = "KINFER_KAFKA_"

    /// librdkafka properties whose names contain `_`, which the dots-for-underscores rule cannot spell.
    private static let underscoredProperties = ["LOG_LEVEL": "log_level"]

    /// The `KINFER_*` variables of `environment`. Variables that name no setting are ignored, as other tools
    /// (and tests) share the prefix; an empty value counts as unset.
    static func environment(_ environment: [String: String]) -> SettingsLayer {
        var layer = SettingsLayer(origin: "environment")
        for key in SettingKey.allCases {
            if let value = environment[key.environmentName], !value.isEmpty {
                layer.values[key] = value
            }
        }
        for (name, value) in environment where name.hasPrefix(kafkaEnvironmentPrefix) && !value.isEmpty {
            let suffix = String(name.dropFirst(kafkaEnvironmentPrefix.count))
            guard !suffix.isEmpty else { continue }
            layer.kafkaProperties[kafkaPropertyName(environmentSuffix: suffix)] = value
        }
        return layer
    }

    /// `SASL_PASSWORD` → `sasl.password`.
    static func kafkaPropertyName(environmentSuffix suffix: String) -> String {
        underscoredProperties[suffix] ?? suffix.lowercased().replacingOccurrences(of: "_", with: ".")
    }
}
