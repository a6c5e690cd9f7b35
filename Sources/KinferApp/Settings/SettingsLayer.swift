/// The settings one source gives: flags, the environment, or a config file. Absent means "not set here".
/// Public because the command builds the flag layer from what it parsed.
public struct SettingsLayer: Sendable, Equatable {
    /// Where the values come from, for messages and `kinfer config --show-origin`: `flag`, `environment`, `config file x.json`.
    public var origin: String
    var values: [SettingKey: String] = [:]
    /// librdkafka properties by their own names (`sasl.password`).
    public var kafkaProperties: [String: String] = [:]

    public init(origin: String, values: [SettingKey: String] = [:], kafkaProperties: [String: String] = [:]) {
        self.origin = origin
        self.values = values
        self.kafkaProperties = kafkaProperties
    }

    /// Sets `key` when `value` is not `nil`.
    public mutating func set(_ key: SettingKey, _ value: (some CustomStringConvertible)?) {
        if let value { values[key] = value.description }
    }
}
