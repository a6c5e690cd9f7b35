import InferenceJobs
import Kafka

/// Everything a gateway needs: where to listen, the brokers, who may call, and what the workers serve.
///
/// Required values go in `init`; the rest sit in ``Options-swift.struct`` with their defaults.
public struct GatewayConfiguration: Sendable {
    /// Who may call the API.
    public struct Authentication: Sendable, Hashable {
        fileprivate enum Base: Sendable, Hashable {
            case keys(APIKeys)
            case open
        }

        fileprivate let base: Base

        /// Requests need `Authorization: Bearer <key>` with a key whose SHA-256 is in `keys`.
        public static func apiKeys(_ keys: APIKeys) -> Authentication { Authentication(base: .keys(keys)) }
        /// No key needed (`--no-auth`); the gateway then binds to loopback unless told otherwise.
        public static let open = Authentication(base: .open)

        /// The keys, or `nil` when the API is open.
        public var keys: APIKeys? {
            if case .keys(let keys) = self.base { return keys }
            return nil
        }
    }

    public struct Options: Sendable {
        /// The address to bind. Defaults to `0.0.0.0`; `kinfer gateway --no-auth` makes it `127.0.0.1`.
        public var host = "0.0.0.0"
        /// The API port; `0` lets the system choose. Defaults to `8000`.
        public var port = 8000
        /// The largest body `POST /v1/jobs` reads; larger ones get `413`. Defaults to 1 MiB, the contract's limit.
        public var maxBodyBytes = JobCodec.defaultMaxBytes
        /// The deepest JSON nesting accepted; deeper bodies get `400`. Defaults to `32`.
        public var maxJSONDepth = 32
        /// How long the broker has to acknowledge a job before the client gets `503` with `Retry-After`; also how
        /// long an in-progress idempotency record holds off retries (`409`). Defaults to `5` seconds.
        public var produceTimeout: Duration = .seconds(5)
        /// How long idempotency keys are kept from their first use. Defaults to 24 hours.
        public var idempotencyRetention: Duration = .seconds(24 * 3600)
        /// The `Retry-After` of a `503`, in seconds. Defaults to `1`.
        public var retryAfterSeconds = 1
        /// Topic names. Defaults to `inference-jobs` and the rest of ``JobTopics``.
        public var topics = JobTopics()

        public init() {}
    }

    /// The brokers; the gateway's producer is made from this with `acks=all` and idempotence unless it says
    /// otherwise, and with `message.timeout.ms` set to the produce timeout.
    public var kafka: KafkaConfiguration
    public var authentication: Authentication
    /// What the workers serve; jobs for other models, or with the wrong feature count, are refused.
    public var models: ModelRules
    public var options: Options

    public init(
        kafka: KafkaConfiguration,
        authentication: Authentication,
        models: ModelRules,
        options: Options = Options()
    ) {
        self.kafka = kafka
        self.authentication = authentication
        self.models = models
        self.options = options
    }
}
