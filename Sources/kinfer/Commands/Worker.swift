import ArgumentParser
import KinferApp

extension Kinfer {
    /// `kinfer worker`: a member of the worker group, until SIGTERM or SIGINT drains it.
    struct Worker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an inference worker: jobs in, batched model calls, results out.",
            discussion: """
                Joins the worker group on the jobs and retry topics. SIGTERM or SIGINT drains it: no new jobs, \
                in-flight jobs finish within --grace-period-seconds, offsets are committed, then it leaves the group. \
                Serves /metrics (Prometheus), /healthz and /readyz on --http-port; 0 turns that off. \
                Every flag is also a KINFER_* variable (--max-batch-size is KINFER_MAX_BATCH_SIZE) and a config-file key.
                """
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @OptionGroup(title: "Worker")
        var options: WorkerOptions

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            options.apply(to: &flags)
            topics.apply(to: &flags)
            let settings = try common.settings(flags, defaultLogLevel: .info)
            try await WorkerService.run(settings)
        }
    }
}
