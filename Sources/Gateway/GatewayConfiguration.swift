import CallbackSafety
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
        /// The longest `POST /v1/predict` waits for its result before `504`; the body's `timeout_ms` may shorten it.
        /// Defaults to `30` seconds.
        public var syncTimeout: Duration = .seconds(30)
        /// How long graceful shutdown lets waiting `POST /v1/predict` calls run before answering them `504` with their
        /// job's `Location` (the job goes on; any instance answers for it). Event streams end at once. Defaults to
        /// `20` seconds.
        public var gracePeriod: Duration = .seconds(20)
        /// The `Retry-After` of a `504`, in seconds. Defaults to `1`.
        public var syncRetryAfterSeconds = 1
        /// The most `POST /v1/predict` calls waiting at once on this instance; more get `503`. Defaults to `1024`.
        public var maxWaitingPredicts = 1024
        /// The most open `GET /v1/jobs/{id}/events` streams on this instance; more get `503`. Defaults to `1024`.
        public var maxOpenStreams = 1024
        /// How often an event stream sends a `: keep-alive` comment while it waits. Defaults to `15` seconds.
        public var heartbeatInterval: Duration = .seconds(15)
        /// The most bytes of recent streams (the stream topic's records and tokens) this instance keeps, so that a
        /// client reconnecting with `Last-Event-ID` gets the rest of its stream here. Defaults to 64 MiB.
        public var streamCacheBytes = 64 << 20
        /// The most streams this instance keeps. Defaults to `10000`.
        public var streamCacheStreams = 10_000
        /// How long a stream is kept after its result, for reconnects. Defaults to `60` seconds.
        public var finishedStreamRetention: Duration = .seconds(60)
        /// How long a streamed `POST /v1/chat/completions` may go without a token (keep-alive comments meanwhile) before
        /// it ends with an error event; the job goes on. Longer than `syncTimeout`: a stream's first token waits for the
        /// job's turn in the queue, which is what the queue is for. Defaults to `300` seconds.
        public var streamIdleTimeout: Duration = .seconds(300)
        /// How long a stream whose result arrived before its last chunks (the two topics are read independently)
        /// waits for them before sending the rest of the result's text as one token. Defaults to `1` second.
        public var streamCatchUp: Duration = .seconds(1)
        /// The workers' consumer group, whose lag on the jobs topic gives `estimated_wait_seconds` and back-pressure;
        /// `nil` reads no lag (no estimate, no `429`). Defaults to `nil`; `kinfer gateway` passes `kinfer-workers`.
        public var workersGroup: String?
        /// `429` once the workers' lag reaches this many jobs; `nil` is no limit. Defaults to `nil`.
        public var maxBacklog: Int?
        /// `429` once the estimated wait passes this many seconds; `nil` is no limit. Defaults to `nil`.
        public var maxWaitSeconds: Double?
        /// How often the workers' lag is read, off the request path. Defaults to `1` second.
        public var lagInterval: Duration = .seconds(1)
        /// The sink's pending-job recorder group (`kinfer sink` runs it as `<sink group>-pending`), which records every
        /// job on the jobs topic as pending. When set, the gateway writes no pending row of its own for a job submitted
        /// without an idempotency key, and a look-up that finds nothing waits until this group has recorded every job
        /// the broker acknowledged before it. When `nil`, the gateway writes each job's pending row before its `202`.
        /// Defaults to `nil`; `kinfer gateway` passes `kinfer-sink-pending`.
        public var pendingRecorderGroup: String?
        /// How long a look-up that found nothing waits for the recorder before answering `503` (it cannot tell an
        /// unknown job from one the recorder has not reached). Defaults to `2` seconds.
        public var recorderWaitTimeout: Duration = .seconds(2)
        /// Topic names. Defaults to `inference-jobs` and the rest of ``JobTopics``.
        public var topics = JobTopics()
        /// The notifier's rules for callback URLs: a job whose `callback_url` they refuse (a scheme, a port, an IP
        /// literal in a private range) gets `422` at once. Configure it as the notifier is. Defaults to `https` on
        /// the default port, public addresses only.
        public var callbackGuard = CallbackGuard()

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
