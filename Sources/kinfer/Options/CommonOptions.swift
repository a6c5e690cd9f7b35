import ArgumentParser
import Foundation
import KinferApp
import Logging

/// Flags every command that talks to Kafka shares: where the settings come from, the brokers, librdkafka properties,
/// and logging.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "A JSON config file of settings (keys like \"bootstrap_servers\", \"max_batch_size\", and a \"kafka\" object of librdkafka properties). Also KINFER_CONFIG.",
        valueName: "path"
    ))
    var configPath: String?

    @Option(help: ArgumentHelp(
        "Comma-separated Kafka brokers, e.g. localhost:9092. Also KINFER_BOOTSTRAP_SERVERS or \"bootstrap_servers\" in the config file.",
        valueName: "host:port,..."
    ))
    var bootstrapServers: String?

    @Option(name: .customLong("kafka-property"), help: ArgumentHelp(
        "Any librdkafka property, e.g. sasl.mechanism=PLAIN (repeatable). Also KINFER_KAFKA_<NAME> (sasl.password is KINFER_KAFKA_SASL_PASSWORD) or the config file's \"kafka\" object.",
        valueName: "name=value"
    ))
    var kafkaProperties: [String] = []

    @Option(help: ArgumentHelp(
        "Log level on stderr: trace, debug, info, notice, warning, error, critical. Also KINFER_LOG_LEVEL. Defaults to info for long-running commands, critical (quiet) for the others.",
        valueName: "level"
    ))
    var logLevel: String?

    func validate() throws {
        for property in kafkaProperties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw ValidationError("--kafka-property takes name=value, e.g. --kafka-property sasl.mechanism=PLAIN; got '\(property)'")
            }
        }
        if let logLevel, Logger.Level(rawValue: logLevel.lowercased()) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(logLevel)'")
        }
    }

    /// The flag layer: these options plus `extra` flags of the command.
    func flagLayer(_ extra: SettingsLayer = SettingsLayer(origin: "flag")) -> SettingsLayer {
        var layer = extra
        layer.origin = "flag"
        layer.set(.bootstrapServers, bootstrapServers)
        layer.set(.logLevel, logLevel)
        for property in kafkaProperties {
            let equals = property.firstIndex(of: "=")!
            layer.kafkaProperties[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        return layer
    }

    /// Loads the layered settings and sets up logging; call once, first thing in `run()`.
    func settings(_ extra: SettingsLayer = SettingsLayer(origin: "flag"), defaultLogLevel: Logger.Level = .critical) throws(CLIError) -> KinferSettings {
        let settings = try KinferSettings.load(
            flags: flagLayer(extra), configPath: configPath, environment: ProcessInfo.processInfo.environment
        )
        let level = try settings.string(.logLevel).map { text throws(CLIError) in try CLILogging.level(text) } ?? defaultLogLevel
        CLILogging.bootstrap(level: level)
        return settings
    }
}
