/// The settings one source gives: flags, the environment, or a config file. Absent means "not set here".
struct SettingsLayer: Sendable, Equatable {
    /// Where the values come from, for messages and `kinfer config --show-origin`: `flag`, `environment`, `config file x.json`.
    var origin: String
    var values: [SettingKey: String] = [:]
    /// librdkafka properties by their own names (`sasl.password`).
    var kafkaProperties: [String: String] = [:]

    init(origin: String, values: [SettingKey: String] = [:], kafkaProperties: [String: String] = [:]) {
        self.origin = origin
        self.values = values
        self.kafkaProperties = kafkaProperties
    }

    /// Sets `key` when `value` is not `nil`.
    mutating func set(_ key: SettingKey, _ value: (some CustomStringConvertible)?) {
        if let value { values[key] = value.description }
    }
}
