import AsyncHTTPClient
import CallbackSafety
import EmbeddedKafka
import Foundation
import Gateway
import InferenceJobs
import InferenceModels
import Kafka
import Logging
import Notifier
import ResultStore
import ResultsSink
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `kinfer demo`: the whole pipeline on this machine, with nothing else installed. An embedded 3-broker cluster, two
/// `kinfer worker` child processes, and in this process the sink, the notifier with a webhook receiver, and the
/// gateway; then jobs over HTTP, followed streams, callbacks and streamed chats, and a summary from the rows.
public struct DemoRun: Sendable {
    /// How many jobs to submit (held-out digits images, cycled).
    let jobs: Int
    let load: DemoLoad
    /// SIGKILL a worker at random moments (3 times, at least 2 s apart) and start a new one.
    let crashWorkers: Bool
    /// The SQLite results file; deleted and recreated at start.
    let database: String
    /// Give up when not every job has a row after this many seconds.
    let timeoutSeconds: Int
    /// The gateway answers 429 once the workers' lag reaches this many jobs.
    let maxBacklog: Int
    /// Streamed chat completions to run once the jobs are done.
    let chats: Int
    /// Partitions of each pipeline topic.
    let partitions: Int
    /// Where the run's announcements and progress go.
    let reporter: DemoReporter

    /// Every value comes from the command's flags, which hold the defaults.
    public init(
        jobs: Int, load: DemoLoad, crashWorkers: Bool, database: String, timeoutSeconds: Int, maxBacklog: Int, chats: Int,
        partitions: Int, reporter: DemoReporter
    ) {
        self.jobs = jobs
        self.load = load
        self.crashWorkers = crashWorkers
        self.database = database
        self.timeoutSeconds = timeoutSeconds
        self.maxBacklog = maxBacklog
        self.chats = chats
        self.partitions = partitions
        self.reporter = reporter
    }

    /// Runs the demo and returns its summary; throws when it cannot start, times out, or SIGINT or SIGTERM stops it
    /// (with exit status 128 + the signal).
    public func run() async throws -> DemoSummary {
        let logger = Logger(label: "kinfer.demo")
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
        reporter.say("kinfer demo: 3 embedded brokers at \(servers), \(partitions) partitions per topic; \(jobs) jobs at \(load)")

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
        let pendingJobs: PendingJobRecorder
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
            // As `kinfer sink` runs it by default: the gateway leaves the pending rows to it.
            pendingJobs = try PendingJobRecorder(
                consumerConfiguration: cluster.consumerConfiguration(group: KinferSettings.pendingRecorderGroup, sessionTimeout: .seconds(6)),
                store: store, jobsTopic: topics.jobs, logger: logger
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
            services: [
                .init(service: store), .init(service: sink), .init(service: pendingJobs), .init(service: notifier), .init(service: gateway),
            ],
            logger: logger
        ))

        let client = DemoHTTPClient.make()
        let outcome: Result<DemoSummary, CLIError> = await withTaskGroup(of: Void.self) { services in
            services.addTask { try? await group.run() }
            let outcome = await withTaskGroup(of: Void.self) { signals in
                // From here on, SIGINT and SIGTERM stop the demo cleanly (the workers were started without this trap).
                let interrupted = Atomic<Int32>(0)
                signals.addTask {
                    for await signal in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                        interrupted.store(signal.rawValue, ordering: .relaxed)
                        return
                    }
                }
                defer { signals.cancelAll() }
                do {
                    return Result<DemoSummary, CLIError>.success(try await drive(
                        cluster: cluster, store: store, sink: sink, gatewayPort: { gatewayPort.withLock { $0 } }, client: client, workers: workers,
                        callbacks: (callbackURL, receiver), testSet: testSet,
                        interruption: { let signal = interrupted.load(ordering: .relaxed); return signal == 0 ? nil : signal }
                    ))
                } catch let error as CLIError {
                    return .failure(error)
                } catch {
                    return .failure(CLIError("the demo failed: \(ErrorReport.line(for: error))"))
                }
            }
            try? await client.shutdown()
            await workers.stopAll()
            await group.triggerGracefulShutdown()
            return outcome
        }
        await receiver.stop()

        var summary = try outcome.get()
        summary.duplicates = sink.counters.duplicatesAbsorbed
        summary.database = databasePath
        summary.workerLogs = workers.logPaths
        withExtendedLifetime(cluster) {}
        return summary
    }

    /// Submits, shows progress, crashes workers if asked, waits for every row, and collects the summary.
    private func drive(
        cluster: EmbeddedKafkaCluster, store: any ResultStore, sink: ResultsSink, gatewayPort: () -> Int?, client: HTTPClient,
        workers: DemoWorkers, callbacks: (url: String, receiver: DemoCallbackReceiver), testSet: DigitsTestSet,
        interruption: () -> Int32?
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
        reporter.say("kinfer demo: 2 workers, the sink and the gateway (\(baseURL)) are up (worker logs in \(URL(fileURLWithPath: workers.logPaths[0]).deletingLastPathComponent().path)); submitting over HTTP")
        let submitter = DemoSubmitter(count: jobs, client: client, callbackURL: callbacks.url)
        let follower = DemoEventFollower(baseURL: baseURL, client: client)
        return try await withThrowingTaskGroup(of: Void.self) { following in
            following.addTask { await follower.run() }
            let failedSubmissions = try await withThrowingTaskGroup(of: Void.self) { submitting in
                submitting.addTask { try await submitter.run(baseURL: baseURL, features: testSet.features, load: load, follower: follower) }
                try await waitForEveryRow(
                    store: store, admin: admin, submitter: submitter, submitting: &submitting, workers: workers, interruption: interruption
                )
                return submitter.failed
            }
            if !failedSubmissions.isEmpty {
                reporter.say("kinfer demo: \(failedSubmissions.count) submissions were not accepted, e.g. \(failedSubmissions.first!.value)")
            }
            // Every result is in the store; the followed streams have had their result events pushed already.
            let streamsEnd = clock.now.advanced(by: .seconds(30))
            while follower.outcome.followed > follower.outcome.pushed + follower.outcome.problems.count && clock.now < streamsEnd {
                try await Task.sleep(for: .milliseconds(50))
            }
            following.cancelAll()
            try await following.waitForAll()
            let events = follower.outcome
            // And every callback asked for has reached the receiver, signed.
            let expectedCallbacks = submitter.withCallback
            let callbacksEnd = clock.now.advanced(by: .seconds(30))
            while !expectedCallbacks.isSubset(of: callbacks.receiver.delivered) && clock.now < callbacksEnd {
                try await Task.sleep(for: .milliseconds(50))
            }
            for problem in events.problems.prefix(3) { reporter.say("kinfer demo: event stream: \(problem)") }

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
                reporter.say("kinfer demo: every job has its row; now \(chats) streamed chat completions through POST /v1/chat/completions")
                let streamed = await DemoChats.run(baseURL: baseURL, client: client, count: chats, concurrency: 10, maxTokens: 20)
                for problem in streamed.problems.prefix(3) { reporter.say("kinfer demo: chat: \(problem)") }
                summary.setChats(streamed)
            }
            return summary
        }
    }

    /// Reports progress and crashes workers if asked until every accepted job has a row; throws on a signal or at
    /// the deadline (which cancels the submitting and following tasks).
    private func waitForEveryRow(
        store: any ResultStore, admin: KafkaAdmin, submitter: DemoSubmitter, submitting: inout ThrowingTaskGroup<Void, any Error>,
        workers: DemoWorkers, interruption: () -> Int32?
    ) async throws {
        let clock = ContinuousClock()
        // Crash points: random fractions of the jobs having rows.
        var crashPoints = crashWorkers ? (0..<3).map { _ in Int(Double(jobs) * Double.random(in: 0.1...0.8)) }.sorted() : []
        var rate = DemoRate()
        let deadline = clock.now.advanced(by: .seconds(timeoutSeconds))
        var nextReport = clock.now
        var submittingDone = false
        var lastCrash: ContinuousClock.Instant?
        var rows = 0
        while true {
            rows = (try? await store.count()) ?? rows
            if !submittingDone, submitter.isFinished {
                submittingDone = true
                try await submitting.waitForAll()
            }
            let submitted = submitter.submitted
            if submittingDone && rows >= submitted { break }
            if let point = crashPoints.first, rows >= point, lastCrash.map({ clock.now - $0 >= .seconds(2) }) ?? true {
                crashPoints.removeFirst()
                lastCrash = clock.now
                try await workers.crashAndRestart(Int.random(in: 0..<workers.count))
            }
            if clock.now >= nextReport {
                let lag = await DemoProgress.lag(admin, group: KinferSettings.workerGroup, topic: JobTopics().jobs)
                reporter.progress(DemoProgress(
                    submitted: submitted, total: jobs, completed: rows, lag: lag, jobsPerSecond: rate.update(completed: rows),
                    crashes: workers.crashes, crashing: crashWorkers
                ))
                nextReport = clock.now.advanced(by: reporter.progressInterval)
            }
            if let signal = interruption() {
                reporter.progressEnded()
                throw CLIError("stopped by signal \(signal) with \(rows) of \(submitter.submitted) jobs done; workers and sink stopped", exitCode: 128 + signal)
            }
            if clock.now >= deadline {
                reporter.progressEnded()
                throw CLIError(
                    "timed out after \(timeoutSeconds) s: \(rows) of \(submitted) jobs have a row",
                    hint: "see the worker logs \(workers.logPaths.joined(separator: ", ")), or raise --timeout-seconds"
                )
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        reporter.progressEnded()
    }

    /// The gateway as `kinfer gateway --no-auth` would run it, on a free loopback port, in front of the digits
    /// workers, answering 429 at `--max-backlog`.
    private func gatewayConfiguration(_ cluster: EmbeddedKafkaCluster, featureCount: Int) -> GatewayConfiguration {
        var options = GatewayConfiguration.Options()
        options.host = "127.0.0.1"
        options.port = 0
        options.workersGroup = KinferSettings.workerGroup
        options.pendingRecorderGroup = KinferSettings.pendingRecorderGroup
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
}
