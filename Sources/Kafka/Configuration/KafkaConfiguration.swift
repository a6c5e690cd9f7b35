/// Settings for a Kafka client: typed fields for the common ones, and any librdkafka property by name.
///
/// Typed fields left `nil` keep librdkafka's default. Raw `properties` are applied after the
/// typed fields and win, so everything in librdkafka's CONFIGURATION.md stays reachable
/// (TLS, SASL/OAUTHBEARER, tuning). Names and values are checked by librdkafka itself when a
/// client is made, or earlier with ``validate()``: an unknown or invalid property fails there
/// with librdkafka's own message.
public struct KafkaConfiguration: Sendable {
    /// `host:port` of one or more brokers (`bootstrap.servers`).
    public var bootstrapServers: [String]
    /// `client.id`, shown in broker logs and quotas.
    public var clientID: String?
    /// How many replicas must acknowledge a produced message (`acks`).
    public var acks: Acks?
    /// Idempotent producer (`enable.idempotence`): no duplicates or reordering from internal retries.
    public var idempotence: Bool?
    /// How long the producer waits to fill a batch (`linger.ms`).
    public var linger: Duration?
    /// Producer batch compression (`compression.codec`).
    public var compression: Compression?
    /// Consumer group (`group.id`); required for a consumer.
    public var groupID: String?
    /// Where a group without a committed offset starts (`auto.offset.reset`).
    public var autoOffsetReset: AutoOffsetReset?
    /// How long the group waits for a silent member before rebalancing (`session.timeout.ms`).
    public var sessionTimeout: Duration?
    /// How often librdkafka emits statistics (`statistics.interval.ms`); `nil` disables them.
    public var statisticsInterval: Duration?
    /// `security.protocol`.
    public var securityProtocol: SecurityProtocol?
    /// SASL mechanism and credentials.
    public var sasl: SASL?
    /// TLS files and verification.
    public var tls: TLS?
    /// Any librdkafka property by name, applied last.
    public var properties: [String: String]

    public init(bootstrapServers: [String], properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
    }

    /// Every property this configuration sets, in the order they are applied.
    public var librdkafkaProperties: [(name: String, value: String)] {
        var result: [(String, String)] = [("bootstrap.servers", bootstrapServers.joined(separator: ","))]
        func add(_ name: String, _ value: String?) {
            if let value { result.append((name, value)) }
        }
        add("client.id", clientID)
        add("acks", acks?.rawValue)
        add("enable.idempotence", idempotence.map { $0 ? "true" : "false" })
        add("linger.ms", linger.map { String($0.milliseconds) })
        add("compression.codec", compression?.rawValue)
        add("group.id", groupID)
        add("auto.offset.reset", autoOffsetReset?.rawValue)
        add("session.timeout.ms", sessionTimeout.map { String($0.milliseconds) })
        add("statistics.interval.ms", statisticsInterval.map { String($0.milliseconds) })
        add("security.protocol", securityProtocol?.rawValue)
        if let sasl {
            add("sasl.mechanisms", sasl.mechanism.rawValue)
            add("sasl.username", sasl.username)
            add("sasl.password", sasl.password)
        }
        if let tls {
            add("ssl.ca.location", tls.caLocation)
            add("ssl.certificate.location", tls.certificateLocation)
            add("ssl.key.location", tls.keyLocation)
            add("ssl.key.password", tls.keyPassword)
            add("enable.ssl.certificate.verification", tls.verifyCertificates.map { $0 ? "true" : "false" })
        }
        for name in properties.keys.sorted() {
            result.append((name, properties[name]!))
        }
        return result
    }

    /// Checks every property with librdkafka, throwing its message for the first bad one.
    public func validate() throws(KafkaError) {
        let conf = try NativeConfiguration(self)
        conf.destroy()
    }

    /// The properties as `name=value` lines, with passwords and secrets masked.
    public var redactedDescription: String {
        librdkafkaProperties
            .map { "\($0.name)=\(Self.isSecret($0.name) ? "*****" : $0.value)" }
            .joined(separator: "\n")
    }

    /// Whether a property holds a credential that must never be printed or logged.
    public static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "sasl.oauthbearer.config", "ssl.key.pem", "ssl_key"].contains { lowered.contains($0) }
    }
}

extension Duration {
    /// Whole milliseconds, as librdkafka's `*.ms` properties take them.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
