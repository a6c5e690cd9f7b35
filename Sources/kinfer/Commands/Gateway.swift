import ArgumentParser
import Gateway
import InferenceModels
import KinferApp

extension Kinfer {
    /// `kinfer gateway`: the HTTP API in front of the pipeline, until SIGTERM or SIGINT.
    struct GatewayCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gateway",
            abstract: "Run the HTTP gateway: POST /v1/jobs onto the jobs topic, GET /v1/jobs/{id} from the results store, token streams and OpenAI-style chat completions.",
            discussion: """
                Answers 202 only once the broker acknowledged the job (acks=all, idempotent producer). Keeps \
                idempotency keys and pending jobs in the results database (--database), so any number of gateways \
                can share it. API keys are configured as SHA-256 hex hashes (--api-key-hash, and \
                KINFER_GATEWAY_API_KEY_HASHES or the config file's gateway_api_key_hashes, separated by commas or \
                spaces); --no-auth opens the API and binds to 127.0.0.1 unless --host says otherwise. --port 0 picks a free port and prints it first on stdout. \
                /metrics, /healthz and /readyz are on --http-port (0 turns them off). The OpenAPI document is at \
                /openapi.json.
                """
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @Option(help: ArgumentHelp(
            "The results database URL, as for kinfer sink. Defaults to sqlite://./kinfer-results.db; also KINFER_DATABASE_URL.",
            valueName: "url"
        ))
        var database: String?

        @Option(help: ArgumentHelp("The API port; 0 picks a free one and prints it. Defaults to 8000.", valueName: "port"))
        var port: Int = 8000

        @Option(help: ArgumentHelp("The API address to bind. Defaults to 0.0.0.0, or 127.0.0.1 with --no-auth.", valueName: "host"))
        var host: String?

        @Option(help: ArgumentHelp(
            "Port for /metrics, /healthz, /readyz; 0 turns it off. Defaults to 8080; also KINFER_HTTP_PORT.",
            valueName: "port"
        ))
        var httpPort: Int?

        @Option(name: .customLong("api-key-hash"), help: ArgumentHelp(
            "The SHA-256 (64 hex digits) of an accepted API key; repeatable, added to KINFER_GATEWAY_API_KEY_HASHES.",
            valueName: "hex"
        ))
        var apiKeyHashes: [String] = []

        @Flag(help: "Accept requests without an API key (binds to 127.0.0.1 unless --host is given).")
        var noAuth = false

        @Option(name: .customLong("model"), help: ArgumentHelp(
            "A model the workers serve, as name or name:width (the feature count); repeatable. digits and simulated take their width from the model; generator (any generative model) takes a prompt or messages. Defaults to digits, simulated and generator.",
            valueName: "name[:width]"
        ))
        var models: [String] = []

        @Option(help: ArgumentHelp("The model of jobs without \"model\". Defaults to the first --model (digits).", valueName: "name"))
        var defaultModel: String?

        @Flag(help: "Accept any model name and feature count (for workers this gateway knows nothing about).")
        var noModelCheck = false

        @Option(help: ArgumentHelp("How long the broker has to acknowledge a job before 503. Defaults to 5000.", valueName: "ms"))
        var produceTimeoutMs: Int = 5_000

        @Option(help: ArgumentHelp("The longest POST /v1/predict waits for its result before 504 (a smaller timeout_ms in the body wins). Defaults to 30000.", valueName: "ms"))
        var syncTimeoutMs: Int = 30_000

        @Option(help: ArgumentHelp("How long a streamed POST /v1/chat/completions may go without a token (sending keep-alive comments) before it ends with an error event; the job goes on. Defaults to 300000.", valueName: "ms"))
        var streamIdleTimeoutMs: Int = 300_000

        @Option(help: ArgumentHelp("The most POST /v1/predict calls waiting at once on this instance; more get 503. Defaults to 1024.", valueName: "count"))
        var maxWaitingPredicts: Int = 1024

        @Option(help: ArgumentHelp("The most open GET /v1/jobs/{id}/events streams on this instance; more get 503. Defaults to 1024.", valueName: "count"))
        var maxOpenStreams: Int = 1024

        @Option(help: ArgumentHelp("How often an event stream sends a keep-alive comment. Defaults to 15000.", valueName: "ms"))
        var heartbeatMs: Int = 15_000

        @Option(help: ArgumentHelp(
            "The most memory of recent token streams each instance keeps, so that a client reconnecting with Last-Event-ID gets the rest of its stream from any instance. Defaults to 64.",
            valueName: "MiB"
        ))
        var streamCacheMib: Int = 64

        @Option(help: ArgumentHelp(
            "How long a stream whose result arrived before its last tokens waits for them before sending the rest of the text at once. Defaults to 1000.",
            valueName: "ms"
        ))
        var streamCatchUpMs: Int = 1_000

        @Option(help: ArgumentHelp("The workers' consumer group, whose lag gives estimated_wait_seconds and back-pressure. Defaults to kinfer-workers.", valueName: "group"))
        var workersGroup: String = "kinfer-workers"

        @Option(help: ArgumentHelp(
            "The sink's pending-job recorder group (kinfer sink --pending-jobs, on by default, runs it as <sink group>-pending). The gateway leaves the pending row of a job without an Idempotency-Key to it, and a look-up that finds nothing waits until it has recorded every job acknowledged before. Defaults to kinfer-sink-pending.",
            valueName: "group"
        ))
        var pendingGroup: String = KinferSettings.pendingRecorderGroup

        @Option(help: ArgumentHelp(
            "How long a look-up that finds nothing waits for the pending-job recorder before answering 503 (it cannot tell an unknown job from one not yet recorded). Defaults to 2000.",
            valueName: "ms"
        ))
        var recorderWaitMs: Int = 2_000

        @Flag(help: "Write each accepted job's pending row before answering 202, instead of leaving it to the sink's pending-job recorder (for a sink run with --no-pending-jobs).")
        var recordAccepted = false

        @Option(help: ArgumentHelp("Answer 429 once the workers' lag reaches this many jobs. Defaults to no limit.", valueName: "jobs"))
        var maxBacklog: Int?

        @Option(help: ArgumentHelp("Answer 429 once the estimated wait (lag / completion rate) passes this many seconds. Defaults to no limit.", valueName: "seconds"))
        var maxWaitSeconds: Double?

        @Option(help: ArgumentHelp(
            "How long SIGTERM lets waiting POST /v1/predict calls run before answering them 504 with their job's Location (event streams end at once). Defaults to 20.",
            valueName: "seconds"
        ))
        var gracePeriodSeconds = 20.0

        @Option(help: ArgumentHelp("The largest request body, in bytes. Defaults to 1048576.", valueName: "bytes"))
        var maxBodyBytes: Int = 1 << 20

        @OptionGroup(title: "Callback URLs (refused at submit as the notifier would refuse them)")
        var callbacks: CallbackGuardOptions

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func validate() throws {
            if !(0...65_535).contains(port) { throw ValidationError("--port must be from 0 to 65535, got \(port)") }
            if let httpPort, !(0...65_535).contains(httpPort) { throw ValidationError("--http-port must be from 0 (off) to 65535, got \(httpPort)") }
            if produceTimeoutMs < 1 { throw ValidationError("--produce-timeout-ms must be at least 1, got \(produceTimeoutMs)") }
            if syncTimeoutMs < 1 { throw ValidationError("--sync-timeout-ms must be at least 1, got \(syncTimeoutMs)") }
            if streamIdleTimeoutMs < 1 { throw ValidationError("--stream-idle-timeout-ms must be at least 1, got \(streamIdleTimeoutMs)") }
            if maxWaitingPredicts < 0 { throw ValidationError("--max-waiting-predicts must be at least 0, got \(maxWaitingPredicts)") }
            if maxOpenStreams < 0 { throw ValidationError("--max-open-streams must be at least 0, got \(maxOpenStreams)") }
            if streamCacheMib < 1 { throw ValidationError("--stream-cache-mib must be at least 1, got \(streamCacheMib)") }
            if streamCatchUpMs < 0 { throw ValidationError("--stream-catch-up-ms must be 0 or more, got \(streamCatchUpMs)") }
            if heartbeatMs < 100 { throw ValidationError("--heartbeat-ms must be at least 100, got \(heartbeatMs)") }
            if let maxBacklog, maxBacklog < 1 { throw ValidationError("--max-backlog must be at least 1, got \(maxBacklog)") }
            if let maxWaitSeconds, !(maxWaitSeconds > 0) { throw ValidationError("--max-wait-seconds must be more than 0, got \(maxWaitSeconds)") }
            if !(gracePeriodSeconds >= 0) { throw ValidationError("--grace-period-seconds must be 0 or more, got \(gracePeriodSeconds)") }
            if recorderWaitMs < 1 { throw ValidationError("--recorder-wait-ms must be at least 1, got \(recorderWaitMs)") }
            if maxBodyBytes < 64 { throw ValidationError("--max-body-bytes must be at least 64, got \(maxBodyBytes)") }
        }

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            flags.set(.databaseURL, database)
            flags.set(.httpPort, httpPort)
            topics.apply(to: &flags)
            let settings = try common.settings(flags, defaultLogLevel: .info)
            let gateway = try GatewayService(settings, openAPI: noAuth, apiKeyHashes: apiKeyHashes)
            var options = GatewayConfiguration.Options()
            options.port = port
            options.host = host ?? (noAuth ? "127.0.0.1" : "0.0.0.0")
            options.produceTimeout = .milliseconds(produceTimeoutMs)
            options.maxBodyBytes = maxBodyBytes
            options.syncTimeout = .milliseconds(syncTimeoutMs)
            options.streamIdleTimeout = .milliseconds(streamIdleTimeoutMs)
            options.gracePeriod = .milliseconds(Int64(gracePeriodSeconds * 1_000))
            options.maxWaitingPredicts = maxWaitingPredicts
            options.maxOpenStreams = maxOpenStreams
            options.heartbeatInterval = .milliseconds(heartbeatMs)
            options.streamCacheBytes = streamCacheMib << 20
            options.streamCatchUp = .milliseconds(streamCatchUpMs)
            options.workersGroup = workersGroup
            options.pendingRecorderGroup = recordAccepted ? nil : pendingGroup
            options.recorderWaitTimeout = .milliseconds(recorderWaitMs)
            options.maxBacklog = maxBacklog
            options.maxWaitSeconds = maxWaitSeconds
            options.callbackGuard = try callbacks.callbackGuard()
            try await gateway.run(options: options, models: try modelRules()) { bound in
                // First on stdout, so that a script starting `--port 0` can read it.
                Terminal.output("\(bound)")
            }
        }

        private func modelRules() throws -> ModelRules {
            if noModelCheck { return .unchecked }
            var widths: [String: Int?] = [:]
            var order: [String] = []
            for entry in models.isEmpty ? ["digits", "simulated", "generator"] : models {
                let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
                guard let name = parts.first, !name.isEmpty else { throw ValidationError("--model needs a name, got '\(entry)'") }
                let width: Int?
                if parts.count == 2 {
                    guard let given = Int(parts[1]), given > 0 else { throw ValidationError("--model \(entry): the width must be a positive integer") }
                    width = given
                } else if name == "digits" {
                    width = try DigitsClassifier().inputLength
                } else {
                    width = nil
                }
                widths[name] = .some(width)
                order.append(name)
            }
            let defaultName = defaultModel ?? order.first
            if let defaultName, !widths.keys.contains(defaultName) {
                throw ValidationError("--default-model \(defaultName) is not among --model \(order.joined(separator: ", "))")
            }
            return ModelRules(inputWidths: widths, defaultModel: defaultName)
        }
    }
}
