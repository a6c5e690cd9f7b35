import ArgumentParser
import AsyncHTTPClient
import CallbackSafety
import EmbeddedKafka
import Foundation
import Gateway
import InferenceJobs
import InferenceModels
import Kafka
import KinferApp
import Logging
import Notifier
import ResultStore
import ResultsSink
import ServiceLifecycle
import Synchronization

extension Kinfer {
    /// `kinfer demo`: the whole pipeline on this machine, with nothing else installed.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the whole pipeline on this machine: embedded Kafka, two workers, the sink, and the HTTP gateway.",
            discussion: """
                Starts an embedded 3-broker Kafka cluster (in memory, in this process) with the pipeline's topics, two \
                `kinfer worker` child processes serving the digits model and the simulated generator (logs under .kinfer/), the results sink \
                writing into a fresh SQLite file, and the HTTP gateway on a free loopback port; then submits --jobs \
                held-out digits images with POST /v1/jobs (retrying a 429 after its Retry-After, with the same job_id), \
                follows every 100th job over GET /v1/jobs/{id}/events, and waits until every job has a row. The \
                summary counts lost jobs (accepted, no row), checks the labels against the true ones, reports latency \
                from each job's submitted_at to its result's completed_at (the worker's clock, not the time the row \
                appeared), the 429s, and the push latency of the followed jobs' result events. Then it streams --chats \
                chat completions, checking each text against its stored result. Exits 1 when a job is lost, a \
                streamed text differs from its result, or --timeout-seconds passes.
                """
        )

        @Option(help: "How many jobs to submit (held-out digits images, cycled).")
        var jobs = 20_000

        @Option(help: ArgumentHelp("Submit at this many jobs per second instead of full speed.", valueName: "jobs/s"))
        var rate: Double?

        @Flag(help: "Submit at a base rate (--rate, default 200 jobs/s), then a sudden 10x burst, then the base rate again.")
        var spike = false

        @Flag(help: "SIGKILL a worker at random moments (3 times, at least 2 s apart) and start a new one; no job may be lost. Without --rate or --spike, submits at 500 jobs/s so that the crashes land mid-run.")
        var crashWorkers = false

        @Option(help: ArgumentHelp("The SQLite results file; deleted and recreated at start.", valueName: "path"))
        var database = "./.kinfer/demo-results.db"

        @Option(help: "Give up (exit 1) when not every job has a row after this many seconds.")
        var timeoutSeconds = 300

        @Option(help: ArgumentHelp("The gateway answers 429 once the workers' lag reaches this many jobs.", valueName: "jobs"))
        var maxBacklog = 10_000

        @Option(help: "How many streamed chat completions to run once the jobs are done (POST /v1/chat/completions, 10 at a time, the simulated generator at 20 ms a token).")
        var chats = 20

        @Option(help: "Partitions of each pipeline topic.")
        var partitions = 12

        @Flag(help: "Print the summary as one JSON object (submitted, completed, failed, expired, dead_lettered, duplicates, lost, accuracy, jobs_per_second, p50_ms, p95_ms, p99_ms, database, crashes, accepted, too_many_requests, streams_followed, result_events, push_p50_ms, push_p99_ms, callbacks_expected, callbacks_delivered, callback_requests, callbacks_unverified, chats, chat_tokens, chats_matching, chat_first_token_p50_ms, chat_first_token_p99_ms).")
        var json = false

        @Option(help: ArgumentHelp("Log level of the demo itself on stderr. Defaults to error.", valueName: "level"))
        var logLevel: String?

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
            if let rate, !(rate > 0) { throw ValidationError("--rate must be more than 0, got \(rate)") }
            guard timeoutSeconds >= 1 else { throw ValidationError("--timeout-seconds must be at least 1, got \(timeoutSeconds)") }
            guard maxBacklog >= 1 else { throw ValidationError("--max-backlog must be at least 1, got \(maxBacklog)") }
            guard (1...1_000).contains(partitions) else { throw ValidationError("--partitions must be from 1 to 1000, got \(partitions)") }
            if let logLevel, Logger.Level(rawValue: logLevel.lowercased()) == nil {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(logLevel)'")
            }
        }

        func run() async throws {
            CLILogging.bootstrap(level: logLevel.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .error)
            let logger = Logger(label: "kinfer.demo")
            let load: DemoLoad = spike ? .spike(base: rate ?? 200) : rate.map { .steady($0) } ?? (crashWorkers ? .steady(500) : .fullSpeed)
            let testSet: DigitsTestSet
            do { testSet = try DigitsTestSet() } catch {
                throw CLIError("cannot load the held-out digits: \(error)", hint: "reinstall kinfer; its model resources are missing")
            }

            // Files: a fresh database, worker logs next to it.
            let databasePath = URL(fileURLWithPath: database).standardizedFileURL.path
            let directory = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                for suffix in ["", "-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: databasePath + suffix) {
                    try FileManager.default.removeItem(atPath: databasePath + suffix)
                }
            } catch {
                throw CLIError("cannot prepare \(databasePath): \(error.localizedDescription)", hint: "check that \(directory) is writable")
            }

            // The cluster and its topics.
            let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: logger)
            let topics = JobTopics()
            for topic in topics.all {
                try cluster.createTopic(topic, partitions: partitions, replicationFactor: 3)
            }
            let servers = cluster.bootstrapServers
            say("kinfer demo: 3 embedded brokers at \(servers), \(partitions) partitions per topic; \(jobs) jobs at \(load)")

            // Two workers as child processes.
            let workers = DemoWorkers(count: 2, logDirectory: directory) { slot in
                [
                    "worker", "--bootstrap-servers", servers, "--group", KinferSettings.workerGroup,
                    "--worker-name", "demo-worker-\(slot + 1)", "--model", "digits,generator", "--token-interval-ms", "20", "--token-count", "20",
                    "--jobs-topic", topics.jobs, "--results-topic", topics.results, "--retry-topic", topics.retry, "--dlq-topic", topics.deadLetter,
                    "--kafka-property", "session.timeout.ms=6000", "--kafka-property", "fetch.wait.max.ms=10",
                    "--kafka-property", "socket.nagle.disable=true", "--grace-period-seconds", "10", "--log-level", "info",
                    "--http-port", "0",  // two workers on one host: no HTTP server, so no port to clash on
                ]
            }
            try workers.startAll()

            // The sink and the gateway, in this process.
            let store: any JobAdmissionStore
            let sink: ResultsSink
            do {
                store = try makeJobAdmissionStore(url: "sqlite://" + databasePath, logger: logger)
                var sinkConfiguration = SinkConfiguration()
                sinkConfiguration.resultsTopic = topics.results
                sinkConfiguration.deadLetterTopic = topics.resultsDeadLetter
                sinkConfiguration.retention = nil
                sink = try ResultsSink(
                    consumerConfiguration: cluster.consumerConfiguration(group: KinferSettings.sinkGroup, sessionTimeout: .seconds(6)),
                    producerConfiguration: cluster.producerConfiguration(), store: store, configuration: sinkConfiguration, logger: logger
                )
            } catch {
                await workers.stopAll(grace: .seconds(5))
                throw CLIError("cannot start the results sink: \(error)", hint: "check that \(databasePath) is writable")
            }
            // The notifier, in this process, and a webhook receiver on loopback that verifies every signature.
            let secretKey = (0..<32).map { _ in UInt8.random(in: 0...255) }
            let signer = WebhookSigner(secrets: WebhookSecrets([try WebhookSecret("whsec_" + Data(secretKey).base64EncodedString())]))
            let receiver = DemoCallbackReceiver(signer: signer)
            let notifier: CallbackNotifier<SystemResolver>
            let callbackURL: String
            do {
                let receiverPort = try await receiver.start()
                callbackURL = "http://127.0.0.1:\(receiverPort)/callbacks"
                notifier = try Self.notifier(cluster, receiverPort: receiverPort, signer: signer, logger: logger)
            } catch {
                await workers.stopAll(grace: .seconds(5))
                throw CLIError("cannot start the notifier and its receiver: \(error)")
            }
            let gatewayPort = Mutex<Int?>(nil)
            var gatewayConfiguration = gatewayConfiguration(cluster, featureCount: testSet.features[0].count)
            gatewayConfiguration.options.callbackGuard = notifier.callbackGuard
            let gateway = Gateway(configuration: gatewayConfiguration, store: store, logger: logger) { port in
                gatewayPort.withLock { $0 = port }
            }
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [.init(service: store), .init(service: sink), .init(service: notifier), .init(service: gateway)], logger: logger
            ))
            let sinkTask = Task { try await group.run() }

            let interrupted = DemoInterruption()
            let signalWatch = Task.detached { interrupted.signal = await Signals.waitForTermination() }
            defer { signalWatch.cancel() }
            let client = DemoHTTPClient.make()
            let outcome: Result<DemoSummary, CLIError>
            do {
                outcome = .success(try await drive(
                    cluster: cluster, store: store, sink: sink, gatewayPort: { gatewayPort.withLock { $0 } }, client: client, workers: workers,
                    callbacks: (callbackURL, receiver), testSet: testSet, load: load, interrupted: interrupted
                ))
            } catch let error as CLIError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(CLIError("the demo failed: \(ErrorReport.line(for: error))"))
            }
            try? await client.shutdown()
            await workers.stopAll()
            await group.triggerGracefulShutdown()
            _ = try? await sinkTask.value
            await receiver.stop()

            var summary = try outcome.get()
            summary.duplicates = sink.counters.duplicatesAbsorbed
            summary.database = databasePath
            summary.workerLogs = workers.logPaths
            if json {
                Terminal.output(summary.json)
            } else {
                summary.text.forEach(Terminal.output)
            }
            withExtendedLifetime(cluster) {}
            if !summary.lost.isEmpty {
                throw CLIError("\(summary.lost.count) of \(summary.submitted) jobs have no result", hint: "see the worker logs \(workers.logPaths.joined(separator: ", "))")
            }
            if summary.chatsMatching < chats {
                throw CLIError("\(chats - summary.chatsMatching) of \(chats) streamed chat completions did not stream their stored result's text", hint: "see the lines starting with 'kinfer demo: chat:' above")
            }
            if summary.callbacksDelivered < summary.callbacksExpected {
                throw CLIError("\(summary.callbacksExpected - summary.callbacksDelivered) of \(summary.callbacksExpected) callbacks were not delivered", hint: "run with --log-level notice to see the notifier's reasons")
            }
        }

        /// Submits, shows progress, crashes workers if asked, waits for every row, and collects the summary.
        private func drive(
            cluster: EmbeddedKafkaCluster, store: any ResultStore, sink: ResultsSink, gatewayPort: () -> Int?, client: HTTPClient,
            workers: DemoWorkers, callbacks: (url: String, receiver: DemoCallbackReceiver),
            testSet: DigitsTestSet, load: DemoLoad, interrupted: DemoInterruption
        ) async throws -> DemoSummary {
            let topics = JobTopics()
            let admin = try KafkaAdmin(configuration: cluster.adminConfiguration(), logger: CLILogging.silent)
            // Latency should measure the pipeline, not start-up: wait (bounded) until the workers and the sink own partitions.
            let clock = ContinuousClock()
            let ready = clock.now.advanced(by: .seconds(60))
            while !(workers.allAssigned && sink.isReady && gatewayPort() != nil) && clock.now < ready {
                try await Task.sleep(for: .milliseconds(100))
            }
            guard let port = gatewayPort() else {
                throw CLIError("the gateway did not start listening within 60 s", hint: "run with --log-level info to see why")
            }
            let baseURL = "http://127.0.0.1:\(port)"
            say("kinfer demo: 2 workers, the sink and the gateway (\(baseURL)) are up (worker logs in \(URL(fileURLWithPath: workers.logPaths[0]).deletingLastPathComponent().path)); submitting over HTTP")
            let submitter = DemoSubmitter(count: jobs, client: client, callbackURL: callbacks.url)
            let follower = DemoEventFollower(baseURL: baseURL, client: client)
            let following = Task { await follower.run() }
            let submitting = Task { try await submitter.run(baseURL: baseURL, features: testSet.features, load: load, follower: follower) }

            // Crash points: random fractions of the jobs having rows.
            var crashPoints = crashWorkers ? (0..<3).map { _ in Int(Double(jobs) * Double.random(in: 0.1...0.8)) }.sorted() : []
            var progress = DemoProgress()
            let deadline = clock.now.advanced(by: .seconds(timeoutSeconds))
            var nextReport = clock.now
            var submittingDone = false
            var lastCrash: ContinuousClock.Instant?
            var rows = 0
            while true {
                rows = (try? await store.count()) ?? rows
                if !submittingDone, submitter.isFinished {
                    submittingDone = true
                    try await submitting.value
                }
                let submitted = submitter.submitted
                if submittingDone && rows >= submitted { break }
                if let point = crashPoints.first, rows >= point, lastCrash.map({ clock.now - $0 >= .seconds(2) }) ?? true {
                    crashPoints.removeFirst()
                    lastCrash = clock.now
                    try await workers.crashAndRestart(Int.random(in: 0..<workers.count))
                }
                if clock.now >= nextReport {
                    let lag = await DemoProgress.lag(admin, group: KinferSettings.workerGroup, topic: topics.jobs)
                    if !json {
                        progress.report(submitted: submitted, total: jobs, completed: rows, lag: lag, crashes: workers.crashes, crashing: crashWorkers)
                    }
                    nextReport = clock.now.advanced(by: progress.interval)
                }
                if let signal = interrupted.signal {
                    if !json { progress.finish() }
                    submitting.cancel()
                    following.cancel()
                    throw CLIError("stopped by signal \(signal) with \(rows) of \(submitter.submitted) jobs done; workers and sink stopped", exitCode: 128 + signal)
                }
                if clock.now >= deadline {
                    if !json { progress.finish() }
                    throw CLIError(
                        "timed out after \(timeoutSeconds) s: \(rows) of \(submitted) jobs have a row",
                        hint: "see the worker logs \(workers.logPaths.joined(separator: ", ")), or raise --timeout-seconds"
                    )
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            if !json { progress.finish() }
            let failedSubmissions = submitter.failed
            if !failedSubmissions.isEmpty {
                say("kinfer demo: \(failedSubmissions.count) submissions were not accepted, e.g. \(failedSubmissions.first!.value)")
            }
            // Every result is in the store; the followed streams have had their result events pushed already.
            let streamsEnd = clock.now.advanced(by: .seconds(30))
            while follower.outcome.followed > follower.outcome.pushed + follower.outcome.problems.count && clock.now < streamsEnd {
                try await Task.sleep(for: .milliseconds(50))
            }
            following.cancel()
            await following.value
            let events = follower.outcome
            // And every callback asked for has reached the receiver, signed.
            let expectedCallbacks = submitter.withCallback
            let callbacksEnd = clock.now.advanced(by: .seconds(30))
            while !expectedCallbacks.isSubset(of: callbacks.receiver.delivered) && clock.now < callbacksEnd {
                try await Task.sleep(for: .milliseconds(50))
            }
            for problem in events.problems.prefix(3) { say("kinfer demo: event stream: \(problem)") }

            var summary = DemoSummary()
            summary.crashes = workers.crashes
            try await summary.collect(
                store: store, jobIDs: submitter.jobIDs, skipped: Set(failedSubmissions.keys), labels: testSet.labels,
                startedAt: submitter.startedAt ?? Date()
            )
            summary.deadLettered = await Self.deadLettered(admin, topic: topics.deadLetter, partitions: partitions)
            summary.accepted = submitter.submitted
            summary.tooManyRequests = submitter.tooManyRequests
            summary.streamsFollowed = events.followed
            summary.resultEvents = events.pushed
            summary.setPushLatencies(events.latenciesMs)
            summary.callbacksExpected = expectedCallbacks.count
            summary.callbacksDelivered = expectedCallbacks.intersection(callbacks.receiver.delivered).count
            summary.callbackRequests = callbacks.receiver.requests
            summary.callbacksUnverified = callbacks.receiver.unverified
            if chats > 0 {
                say("kinfer demo: every job has its row; now \(chats) streamed chat completions through POST /v1/chat/completions")
                let streamed = await DemoChats.run(baseURL: baseURL, client: client, count: chats, concurrency: 10, maxTokens: 20)
                for problem in streamed.problems.prefix(3) { say("kinfer demo: chat: \(problem)") }
                summary.setChats(streamed)
            }
            return summary
        }

        /// The gateway as `kinfer gateway --no-auth` would run it, on a free loopback port, in front of the digits
        /// workers, answering 429 at `--max-backlog`.
        private func gatewayConfiguration(_ cluster: EmbeddedKafkaCluster, featureCount: Int) -> GatewayConfiguration {
            var options = GatewayConfiguration.Options()
            options.host = "127.0.0.1"
            options.port = 0
            options.workersGroup = KinferSettings.workerGroup
            options.maxBacklog = maxBacklog
            var kafka = cluster.producerConfiguration()
            // As the embedded cluster's own consumers have it (EmbeddedKafkaCluster.consumerConfiguration): the results
            // follower's fetch wait is what a pushed result waits on.
            kafka.properties["fetch.wait.max.ms"] = "10"
            return GatewayConfiguration(
                kafka: kafka, authentication: .open,
                models: ModelRules(inputWidths: ["digits": featureCount, "generator": nil], defaultModel: "digits"), options: options
            )
        }

        /// The notifier as `kinfer notifier --allow-http --callback-allow-cidr 127.0.0.1/32 --callback-allow-port PORT`
        /// would run it, with a short retry schedule (the receiver is local and the demo short).
        private static func notifier(
            _ cluster: EmbeddedKafkaCluster, receiverPort: Int, signer: WebhookSigner, logger: Logger
        ) throws -> CallbackNotifier<SystemResolver> {
            let configuration = NotifierConfiguration(
                guardrail: CallbackGuard(allowHTTP: true, allowedPorts: [receiverPort], allowedRanges: [try CIDR("127.0.0.1/32")]),
                retrySchedule: CallbackRetrySchedule(delays: [.seconds(1), .seconds(2)], maximumAge: .seconds(60))
            )
            return try CallbackNotifier(
                consumerConfiguration: cluster.consumerConfiguration(group: KinferSettings.notifierGroup, sessionTimeout: .seconds(6)),
                producerConfiguration: cluster.producerConfiguration(), configuration: configuration,
                signer: signer,
                client: CallbackClient(configuration: .init(version: KinferVersion.current, timeout: .seconds(5))),
                resolver: SystemResolver(), logger: logger
            )
        }

        /// Messages ever written to the jobs dead-letter topic: the sum of its high watermarks.
        private static func deadLettered(_ admin: KafkaAdmin, topic: String, partitions: Int) async -> Int64 {
            var total: Int64 = 0
            for partition in 0..<partitions {
                if let marks = try? await admin.watermarks(of: KafkaTopicPartition(topic: topic, partition: Int32(partition)), timeout: .seconds(5)) {
                    total += marks.high
                }
            }
            return total
        }

        private func say(_ line: String) {
            if !json { Terminal.output(line) }
        }
    }
}

/// Set when SIGINT or SIGTERM arrives during the demo.
final class DemoInterruption: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?

    var signal: Int32? {
        get { lock.withLock { received } }
        set { lock.withLock { received = newValue } }
    }
}
