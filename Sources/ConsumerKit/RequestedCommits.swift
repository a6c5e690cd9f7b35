import Kafka
import Logging
import Metrics

/// Commits the offsets a service has stored when it asks, beside its work instead of between it: for services whose
/// offsets are stored by the work itself (the sink, after each database commit).
///
/// The sink stores a batch's offsets only after the batch's database commit, and then asks for a commit here; the
/// next batch's write starts at once instead of waiting for the broker's answer. A commit sends whatever is
/// stored when it starts, so requests made while one is in flight collapse into the next one, and what is committed
/// is never ahead of what is stored, hence never ahead of the database.
public final class RequestedCommits: Sendable {
    private let consumer: KafkaConsumer
    private let failures: Counter
    private let logger: Logger
    private let requests: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init(consumer: KafkaConsumer, failures: Counter, logger: Logger) {
        self.consumer = consumer
        self.failures = failures
        self.logger = logger
        (requests, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a commit of everything stored so far.
    public func request() {
        continuation.yield()
    }

    /// Ends ``run()`` once the last request has been served.
    public func finish() {
        continuation.finish()
    }

    /// Serves requests, one commit at a time, until ``finish()``.
    public func run() async {
        for await _ in requests {
            do {
                try await consumer.commit()
            } catch {
                failures.increment()
                logger.warning("offset commit failed; the next one covers these offsets: \(error)")
            }
        }
    }
}
