import Kafka

/// `kinfer lag`: a consumer group's lag per partition and in total.
public struct GroupLag: Sendable {
    /// The group measured: `--group`, `KINFER_GROUP`, or the workers' group.
    public let group: String
    public let partitions: [KafkaPartitionLag]
    public var total: Int64 { partitions.reduce(0) { $0 + $1.lag } }

    /// Measures the group on `topics`, or, when none are given, on the jobs and retry topics the workers read.
    public init(settings: KinferSettings, topics: [String]) async throws(CLIError) {
        let kafka = try settings.kafkaConfiguration()
        let group = settings.group(defaultingTo: KinferSettings.workerGroup)
        let names = topics.isEmpty ? [settings.topics.jobs, settings.topics.retry] : topics
        try await KafkaProbe.requireTopics(kafka, names)
        do {
            partitions = try await KafkaAdmin(configuration: kafka, logger: CLILogging.silent).consumerLag(group: group, topics: names, timeout: .seconds(10))
        } catch {
            throw CLIError("cannot read the lag of group \(group): \(error.message)", hint: "check that the brokers are up; run with --log-level info for details")
        }
        self.group = group
    }
}
