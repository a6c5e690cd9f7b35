import InferenceJobs
import Kafka
import Logging
import Synchronization

/// One run of one job's generation, writing its tokens to the stream topic in order.
///
/// Records are handed to the producer under the writer's lock (without suspending), by the generating task when a
/// token is due at once and by ``StreamPublisher``'s tick otherwise: whichever comes first, records enter the
/// producer in index order, and one job's records share a partition (keyed by job ID), so readers see them in order.
final class StreamWriter: Sendable {
    /// The job, attempt and run every record of this writer carries.
    private let header: StreamChunk
    private let topic: String
    private let producer: KafkaProducer
    private let logger: Logger
    private let state: Mutex<(buffer: ChunkBuffer, finished: Bool)>

    init(jobID: String, attempt: Int, topic: String, linger: Duration, producer: KafkaProducer, logger: Logger) {
        // A fresh run ID per run: a repeat of the job after a crash must be told apart from the first run.
        self.header = StreamChunk(jobID: jobID, attempt: attempt, run: String(UInt64.random(in: .min ... .max), radix: 16), index: 0, tokens: [])
        self.topic = topic
        self.producer = producer
        self.logger = logger
        self.state = Mutex((ChunkBuffer(linger: linger), false))
    }

    /// Adds the next token; publishes it (with any waiting) when it is due.
    func append(_ token: String) {
        let now = ContinuousClock.now
        self.state.withLock { state in
            if state.buffer.append(token, now: now) { self.publish(&state.buffer, now: now) }
        }
    }

    /// Publishes what is buffered: ``StreamPublisher``'s tick.
    func tick() {
        let now = ContinuousClock.now
        self.state.withLock { state in
            guard !state.finished else { return }
            self.publish(&state.buffer, now: now)
        }
    }

    /// Publishes the last tokens and waits for the broker to acknowledge them, so that the job's result, published
    /// next, follows its whole stream into the log; a failure is logged and does not hold the result back (the
    /// result carries the whole text).
    func finish() async {
        let last: ChunkBuffer.Record? = self.state.withLock { state in
            state.finished = true
            return state.buffer.record
        }
        guard let last else { return }
        do {
            _ = try await self.producer.send(self.message(last))
        } catch {
            self.logger.warning("the last chunks of a stream were not delivered", metadata: ["job_id": "\(self.header.jobID)", "error": "\(error)"])
        }
    }

    /// Hands the buffered tokens to the producer; a full producer queue leaves them buffered for the next try.
    private func publish(_ buffer: inout ChunkBuffer, now: ContinuousClock.Instant) {
        guard let record = buffer.record else { return }
        let jobID = self.header.jobID
        let logger = self.logger
        do {
            let taken = try self.producer.enqueueIfRoom(self.message(record)) { outcome in
                if case .failure(let error) = outcome {
                    logger.warning("stream chunks were not delivered", metadata: ["job_id": "\(jobID)", "index": "\(record.index)", "error": "\(error)"])
                }
            }
            if taken { buffer.published(record, now: now) }
        } catch {
            logger.warning("cannot publish stream chunks", metadata: ["job_id": "\(jobID)", "error": "\(error)"])
            buffer.published(record, now: now)  // refused for itself: trying again cannot succeed; the result has the text
        }
    }

    private func message(_ record: ChunkBuffer.Record) -> KafkaProducerMessage {
        var chunk = self.header
        chunk.index = record.index
        chunk.tokens = record.tokens
        return KafkaProducerMessage(topic: self.topic, key: chunk.jobID, value: JobCodec.encode(chunk))
    }
}
