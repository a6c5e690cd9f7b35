import InferenceJobs
import JobClient
import Kafka

/// `kinfer submit`: jobs onto the jobs topic, each acknowledged by the brokers.
///
/// Made before the jobs are read, so that a bad Kafka setting is reported before a bad jobs file, as it always was.
public struct JobSubmission: Sendable {
    private let kafka: KafkaConfiguration
    private let topics: JobTopics

    /// Checks the Kafka settings.
    public init(settings: KinferSettings) throws(CLIError) {
        kafka = try settings.kafkaConfiguration()
        topics = settings.topics
    }

    /// Checks the jobs topic, then sends `jobs` in chunks of 1,000, calling `onReceipt` for each acknowledged job in
    /// order. Nothing is contacted when `jobs` is empty.
    public func submit(_ jobs: [InferenceJob], onReceipt: (JobReceipt) -> Void) async throws {
        guard !jobs.isEmpty else { return }
        try await KafkaProbe.requireTopics(kafka, [topics.jobs])
        let producer = try JobProducer(configuration: kafka, topics: topics)
        do {
            for chunk in stride(from: 0, to: jobs.count, by: 1_000).map({ jobs[$0..<min($0 + 1_000, jobs.count)] }) {
                for receipt in try await producer.submit(Array(chunk)) { onReceipt(receipt) }
            }
        } catch {
            await producer.close()
            throw error
        }
        await producer.close()
    }
}
