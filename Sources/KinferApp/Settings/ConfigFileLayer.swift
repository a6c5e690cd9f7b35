import Foundation
import InferenceJobs

extension SettingsLayer {
    /// Reads a JSON config file: an object whose keys are ``SettingKey`` raw values (`"max_batch_size": 64`) plus an
    /// optional `"kafka"` object of librdkafka properties (`{"security.protocol": "sasl_ssl"}`).
    ///
    /// Values may be strings, numbers or booleans. An unknown key is an error, so that a typo does not go unnoticed.
    static func configFile(at path: String) throws(CLIError) -> SettingsLayer {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read the config file \(path)", hint: "check the path given to --config or KINFER_CONFIG")
        }
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw CLIError(
                "the config file \(path) is not a JSON object",
                hint: "write it as {\"bootstrap_servers\": \"host:9092\", \"kafka\": {\"sasl.mechanism\": \"PLAIN\"}}"
            )
        }
        var layer = SettingsLayer(origin: "config file \(path)")
        for (name, value) in object {
            if name == "kafka" {
                guard case .object(let properties) = value else {
                    throw CLIError("\"kafka\" in \(path) is not an object", hint: "write librdkafka properties as {\"kafka\": {\"sasl.mechanism\": \"PLAIN\"}}")
                }
                for (property, propertyValue) in properties {
                    layer.kafkaProperties[property] = try scalar(propertyValue, name: "kafka.\(property)", path: path)
                }
                continue
            }
            guard let key = SettingKey(rawValue: name) else {
                let known = SettingKey.allCases.map(\.rawValue).joined(separator: ", ")
                throw CLIError("unknown key \"\(name)\" in the config file \(path)", hint: "known keys: \(known), kafka")
            }
            layer.values[key] = try scalar(value, name: name, path: path)
        }
        return layer
    }

    private static func scalar(_ value: JSONValue, name: String, path: String) throws(CLIError) -> String {
        switch value {
        case .string(let string): return string
        case .integer(let integer): return String(integer)
        case .number(let number): return String(number)
        case .bool(let bool): return bool ? "true" : "false"
        case .null, .array, .object:
            throw CLIError("\"\(name)\" in \(path) must be a string, number or boolean", hint: "use e.g. \"\(name)\": \"value\"")
        }
    }
}
