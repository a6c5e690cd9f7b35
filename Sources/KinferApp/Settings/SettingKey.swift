/// A setting every `kinfer` command reads the same way from its three sources.
///
/// One name, three spellings: the flag `--max-batch-size`, the environment variable `KINFER_MAX_BATCH_SIZE`, and the
/// config-file key `max_batch_size` (the raw value). librdkafka properties are not keys: they pass through as
/// `--kafka-property name=value`, `KINFER_KAFKA_<NAME>` and the config file's `kafka` object.
/// Public so that the command's option groups can put their flags into a ``SettingsLayer`` by key.
public enum SettingKey: String, CaseIterable, Sendable, Comparable {
    case bootstrapServers = "bootstrap_servers"
    case group
    case databaseURL = "database_url"
    case httpPort = "http_port"
    case jobsTopic = "jobs_topic"
    case resultsTopic = "results_topic"
    case retryTopic = "retry_topic"
    case dlqTopic = "dlq_topic"
    case resultsDLQTopic = "results_dlq_topic"
    case callbacksRetryTopic = "callbacks_retry_topic"
    case callbacksDLQTopic = "callbacks_dlq_topic"
    case model
    case modelURL = "model_url"
    case modelTimeoutMs = "model_timeout_ms"
    case modelMaxConcurrency = "model_max_concurrency"
    /// The served model an OpenAI-compatible `--model-url` is asked for (each request's `model`).
    case modelName = "model_name"
    /// The API key sent to an OpenAI-compatible `--model-url` as `Authorization: Bearer`. No flag, as for every secret.
    case modelAPIKey = "model_api_key"
    case maxBatchSize = "max_batch_size"
    case maxBatchDelayMs = "max_batch_delay_ms"
    case maxInFlight = "max_in_flight"
    case maxConcurrentBatches = "max_concurrent_batches"
    case maxAttempts = "max_attempts"
    case retryBaseDelayMs = "retry_base_delay_ms"
    case retryMaxDelayMs = "retry_max_delay_ms"
    case commitIntervalMs = "commit_interval_ms"
    case gracePeriodSeconds = "grace_period_seconds"
    case simulatedLatencyMs = "simulated_latency_ms"
    case simulatedFailureRate = "simulated_failure_rate"
    case tokenIntervalMs = "token_interval_ms"
    case tokenCount = "token_count"
    case workerName = "worker_name"
    case retentionHours = "retention_hours"
    case logLevel = "log_level"
    /// The notifier's signing secrets (`whsec_...`, two space-separated while rotating). No flag: a secret on a
    /// command line is visible to every user of the machine.
    case webhookSecret = "webhook_secret"
    /// The gateway's accepted API keys as SHA-256 hex hashes, separated by commas or spaces; `--api-key-hash` adds more.
    case gatewayAPIKeyHashes = "gateway_api_key_hashes"

    /// The environment variable, e.g. `KINFER_MAX_BATCH_SIZE`.
    var environmentName: String {
        "KINFER_" + rawValue.uppercased()
    }

    /// The command-line flag, e.g. `--max-batch-size`; the database URL's flag is `--database`.
    var flag: String {
        self == .databaseURL ? "--database" : "--" + rawValue.replacingOccurrences(of: "_", with: "-")
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
