extension KafkaConfiguration {
    /// `acks`: how many replicas acknowledge a message before it counts as delivered.
    public enum Acks: String, Sendable {
        case none = "0"
        case leader = "1"
        case all = "all"
    }

    /// `compression.codec`.
    public enum Compression: String, Sendable {
        case none, gzip, snappy, lz4, zstd
    }

    /// `auto.offset.reset`.
    public enum AutoOffsetReset: String, Sendable {
        case earliest, latest, error
    }

    /// `security.protocol`.
    public enum SecurityProtocol: String, Sendable {
        case plaintext, ssl
        case saslPlaintext = "sasl_plaintext"
        case saslSSL = "sasl_ssl"
    }

    /// SASL authentication (`sasl.mechanisms`, `sasl.username`, `sasl.password`).
    public struct SASL: Sendable {
        public enum Mechanism: String, Sendable {
            case plain = "PLAIN"
            case scramSHA256 = "SCRAM-SHA-256"
            case scramSHA512 = "SCRAM-SHA-512"
            case oauthBearer = "OAUTHBEARER"
        }
        public var mechanism: Mechanism
        public var username: String?
        public var password: String?

        public init(mechanism: Mechanism, username: String? = nil, password: String? = nil) {
            self.mechanism = mechanism
            self.username = username
            self.password = password
        }
    }

    /// TLS files (`ssl.*`). `nil` fields keep librdkafka's defaults (the system CA store).
    public struct TLS: Sendable {
        public var caLocation: String?
        public var certificateLocation: String?
        public var keyLocation: String?
        public var keyPassword: String?
        public var verifyCertificates: Bool?

        public init(
            caLocation: String? = nil,
            certificateLocation: String? = nil,
            keyLocation: String? = nil,
            keyPassword: String? = nil,
            verifyCertificates: Bool? = nil
        ) {
            self.caLocation = caLocation
            self.certificateLocation = certificateLocation
            self.keyLocation = keyLocation
            self.keyPassword = keyPassword
            self.verifyCertificates = verifyCertificates
        }
    }
}
