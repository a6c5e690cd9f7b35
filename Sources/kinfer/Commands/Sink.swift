import ArgumentParser
import KinferApp

extension Kinfer {
    /// `kinfer sink`: results topic into the results database, one row per job, until SIGTERM or SIGINT.
    struct Sink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the results sink: results topic in, exactly one database row per job.",
            discussion: """
                Joins the sink group on the results topic and writes each batch in one transaction, committing \
                offsets only after the database commit. SIGTERM or SIGINT finishes the batch being written and stops. \
                Results that do not decode, or that the database refuses for good (a constraint they break), go to the \
                results dead-letter topic with the reason in headers; the rest of their batch is written. \
                Unless --no-pending-jobs, it also records each job on the jobs topic as pending (a group of its own, \
                <group>-pending), so that the gateway answers pending for jobs whoever produced them. \
                Serves /metrics (Prometheus), /healthz and /readyz (503 while the database is unreachable or writes fail) on \
                --http-port; 0 turns that off. \
                --bootstrap-servers, --group, --database and --http-port are also KINFER_* variables and config-file keys.
                """
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @Option(help: ArgumentHelp("The consumer group. Defaults to kinfer-sink; also KINFER_GROUP.", valueName: "group"))
        var group: String?

        @Option(help: ArgumentHelp(
            "The results database URL: sqlite:///path, sqlite://relative/path or postgres://user:password@host:port/db. Defaults to sqlite://./kinfer-results.db; also KINFER_DATABASE_URL.",
            valueName: "url"
        ))
        var database: String?

        @Option(help: ArgumentHelp(
            "Port for the HTTP server: /metrics, /healthz, /readyz; 0 turns it off. Defaults to 8080; also KINFER_HTTP_PORT.",
            valueName: "port"
        ))
        var httpPort: Int?

        @Option(help: ArgumentHelp("The most results written in one transaction. Defaults to 1000; also KINFER_MAX_BATCH_SIZE.", valueName: "n"))
        var maxBatchSize: Int?

        @Option(help: ArgumentHelp("Delete results completed longer ago than this; 0 keeps them forever. Defaults to 168 (7 days); also KINFER_RETENTION_HOURS.", valueName: "hours"))
        var retentionHours: Double?

        @Flag(
            name: .customLong("pending-jobs"), inversion: .prefixedNo,
            help: "Record every job on the jobs topic as pending (group <group>-pending), so that the gateway answers pending for jobs any client produced. Defaults to on."
        )
        var recordPendingJobs = true

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func validate() throws {
            if let maxBatchSize, maxBatchSize < 1 { throw ValidationError("--max-batch-size must be at least 1, got \(maxBatchSize)") }
            if let retentionHours, !(retentionHours >= 0) { throw ValidationError("--retention-hours must be 0 or more, got \(retentionHours)") }
            if let httpPort, !(0...65_535).contains(httpPort) { throw ValidationError("--http-port must be from 0 (off) to 65535, got \(httpPort)") }
        }

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            flags.set(.group, group)
            flags.set(.databaseURL, database)
            flags.set(.httpPort, httpPort)
            flags.set(.maxBatchSize, maxBatchSize)
            flags.set(.retentionHours, retentionHours)
            topics.apply(to: &flags)
            let settings = try common.settings(flags, defaultLogLevel: .info)
            try await SinkService.run(settings, recordPendingJobs: recordPendingJobs)
        }
    }
}
