import ArgumentParser
import Foundation
import KinferApp
import Logging

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
            let json = json
            let progressLine = DemoProgressLine()
            let reporter = DemoReporter(
                say: { line in if !json { Terminal.output(line) } },
                progressInterval: progressLine.interval,
                progress: { progress in if !json { progressLine.show(progress) } },
                progressEnded: { if !json { progressLine.finish() } }
            )
            let demo = DemoRun(
                jobs: jobs,
                load: spike ? .spike(base: rate ?? 200) : rate.map { .steady($0) } ?? (crashWorkers ? .steady(500) : .fullSpeed),
                crashWorkers: crashWorkers, database: database, timeoutSeconds: timeoutSeconds, maxBacklog: maxBacklog,
                chats: chats, partitions: partitions, reporter: reporter
            )
            let summary = try await demo.run()
            if json {
                Terminal.output(DemoSummaryText.json(summary))
            } else {
                DemoSummaryText.lines(summary).forEach(Terminal.output)
            }
            if let failure = summary.failure { throw failure }
        }
    }
}
