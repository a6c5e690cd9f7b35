import ArgumentParser
import KinferApp

/// The worker's tuning flags; each is also a `KINFER_*` variable and a config-file key of the same name.
struct WorkerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The consumer group. Defaults to kinfer-workers; also KINFER_GROUP.", valueName: "group"))
    var group: String?

    @Option(help: ArgumentHelp(
        "Port for the HTTP server: /metrics, /healthz, /readyz; 0 turns it off. Defaults to 8080; also KINFER_HTTP_PORT.",
        valueName: "port"
    ))
    var httpPort: Int?

    @Option(help: ArgumentHelp("The models to serve, comma-separated, the first for jobs that name none: digits, simulated, generator (simulated text). Defaults to digits; also KINFER_MODEL.", valueName: "name[,name...]"))
    var model: String?

    @Option(help: ArgumentHelp(
        "Serve the model at this URL instead of --model: an Open Inference Protocol (KServe v2) model, e.g. http://127.0.0.1:8080/v2/models/digits, or an OpenAI-compatible server's chat completions (vLLM, llama.cpp, Ollama, TGI), e.g. http://127.0.0.1:8000/v1/chat/completions; jobs address it by its name there. Also KINFER_MODEL_URL; an API key for it comes from KINFER_MODEL_API_KEY only.",
        valueName: "url"
    ))
    var modelURL: String?

    @Option(help: ArgumentHelp("--model-url .../chat/completions only: the served model to ask for. Defaults to the first model the server lists.", valueName: "name"))
    var modelName: String?

    @Option(help: ArgumentHelp("--model-url only: how long one request to the model server may take (for chat completions: the longest silence in a stream), in milliseconds. Defaults to 10000.", valueName: "ms"))
    var modelTimeoutMs: Int?

    @Option(help: ArgumentHelp("--model-url only: the most requests (and connections) to the model server at once. Defaults to 8.", valueName: "n"))
    var modelMaxConcurrency: Int?

    @Option(help: ArgumentHelp("The most jobs in one model call. Defaults to 64.", valueName: "n"))
    var maxBatchSize: Int?

    @Option(help: ArgumentHelp("How long a partial batch waits for more jobs, in milliseconds. Defaults to 5.", valueName: "ms"))
    var maxBatchDelayMs: Int?

    @Option(help: ArgumentHelp("The most jobs taken from Kafka and not yet finished; above it fetching pauses. Defaults to 2000.", valueName: "n"))
    var maxInFlight: Int?

    @Option(help: ArgumentHelp("How many model calls may run at once. Defaults to 4.", valueName: "n"))
    var maxConcurrentBatches: Int?

    @Option(help: ArgumentHelp("Attempts before a retryable failure becomes a dead letter. Defaults to 3.", valueName: "n"))
    var maxAttempts: Int?

    @Option(help: ArgumentHelp("The wait before a job's second attempt, doubling for each later one, with jitter. Defaults to 200.", valueName: "ms"))
    var retryBaseDelayMs: Int?

    @Option(help: ArgumentHelp("The longest wait between a job's attempts. Defaults to 30000.", valueName: "ms"))
    var retryMaxDelayMs: Int?

    @Option(help: ArgumentHelp("How often finished offsets are committed. Defaults to 200.", valueName: "ms"))
    var commitIntervalMs: Int?

    @Option(help: ArgumentHelp("How long shutdown waits for in-flight jobs before leaving the group. Defaults to 20.", valueName: "seconds"))
    var gracePeriodSeconds: Int?

    @Option(help: ArgumentHelp("Simulated model only: latency of each model call, in milliseconds. Defaults to 0.", valueName: "ms"))
    var simulatedLatencyMs: Int?

    @Option(help: ArgumentHelp("Simulated model only: the fraction (0 to 1) of inputs that fail as retryable. Defaults to 0.", valueName: "rate"))
    var simulatedFailureRate: Double?

    @Option(help: ArgumentHelp("Generator model only: the time each token takes, in milliseconds. Defaults to 50.", valueName: "ms"))
    var tokenIntervalMs: Int?

    @Option(help: ArgumentHelp("Generator model only: how many tokens a job gets when it gives no max_tokens. Defaults to 100.", valueName: "n"))
    var tokenCount: Int?

    @Option(help: ArgumentHelp("The name written into each result's worker field. Defaults to host name and process ID.", valueName: "name"))
    var workerName: String?

    func apply(to layer: inout SettingsLayer) {
        layer.set(.group, group)
        layer.set(.httpPort, httpPort)
        layer.set(.model, model)
        layer.set(.modelURL, modelURL)
        layer.set(.modelTimeoutMs, modelTimeoutMs)
        layer.set(.modelMaxConcurrency, modelMaxConcurrency)
        layer.set(.modelName, modelName)
        layer.set(.maxBatchSize, maxBatchSize)
        layer.set(.maxBatchDelayMs, maxBatchDelayMs)
        layer.set(.maxInFlight, maxInFlight)
        layer.set(.maxConcurrentBatches, maxConcurrentBatches)
        layer.set(.maxAttempts, maxAttempts)
        layer.set(.retryBaseDelayMs, retryBaseDelayMs)
        layer.set(.retryMaxDelayMs, retryMaxDelayMs)
        layer.set(.commitIntervalMs, commitIntervalMs)
        layer.set(.gracePeriodSeconds, gracePeriodSeconds)
        layer.set(.simulatedLatencyMs, simulatedLatencyMs)
        layer.set(.simulatedFailureRate, simulatedFailureRate)
        layer.set(.tokenIntervalMs, tokenIntervalMs)
        layer.set(.tokenCount, tokenCount)
        layer.set(.workerName, workerName)
    }
}
