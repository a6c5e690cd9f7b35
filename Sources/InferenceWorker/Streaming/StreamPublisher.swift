import InferenceJobs
import Kafka
import Logging
import Synchronization

/// The open streams of a worker, and the tick that publishes their waiting tokens.
///
/// One tick for all streams, every `linger`, rather than a timer per stream: a worker may run hundreds of generations
/// at once.
final class StreamPublisher: Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private let linger: Duration
    private let logger: Logger
    private let open = Mutex<(writers: [ObjectIdentifier: StreamWriter], closed: Bool)>(([:], false))

    init(producer: KafkaProducer, topic: String, linger: Duration, logger: Logger) {
        self.producer = producer
        self.topic = topic
        self.linger = linger
        self.logger = logger
    }

    /// A writer for a new run of `job`'s generation; ``finish(_:)`` it when the generation ends.
    func start(_ job: InferenceJob) -> StreamWriter {
        let writer = StreamWriter(jobID: job.jobID, attempt: job.attempt, topic: self.topic, linger: self.linger, producer: self.producer, logger: self.logger)
        self.open.withLock { $0.writers[ObjectIdentifier(writer)] = writer }
        return writer
    }

    /// Publishes `writer`'s last tokens (see ``StreamWriter/finish()``) and forgets it.
    func finish(_ writer: StreamWriter) async {
        _ = self.open.withLock { $0.writers.removeValue(forKey: ObjectIdentifier(writer)) }
        await writer.finish()
    }

    /// Ticks until ``close()`` or cancellation.
    func run() async {
        while !self.open.withLock({ $0.closed }) {
            guard (try? await Task.sleep(for: self.linger)) != nil else { return }
            for writer in self.open.withLock({ Array($0.writers.values) }) { writer.tick() }
        }
    }

    /// Ends ``run()``; called once no generation is running.
    func close() {
        self.open.withLock { $0.closed = true }
    }
}
