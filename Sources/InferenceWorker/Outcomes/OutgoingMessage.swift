import InferenceJobs
import Kafka

/// A message an outcome needs, and what stands in for it when the broker refuses the message itself (too large for
/// `message.max.bytes`, an invalid record): sending it again would fail the same way forever, and the job, never
/// finished, would hold back every later commit of its partition.
enum OutgoingMessage: Sendable {
    /// A result or a retry. Refused, it is replaced by the job's `failed` result (this result with its output
    /// dropped and the refusal as its error) and, unless the result already said `failed`, a dead letter.
    case replaceable(KafkaProducerMessage, result: JobResult)
    /// A dead letter carrying the job's message. Refused, it is sent again without its value, the reason in a header;
    /// the original stays at the partition and offset its headers name.
    case deadLetter(KafkaProducerMessage)
    /// A stand-in. Refused too, it is given up with an error log, so that the partition keeps committing.
    case lastResort(KafkaProducerMessage)

    /// The job's ID where the message says it (a result or retry); for log lines.
    var jobID: String? {
        if case .replaceable(_, let result) = self { result.jobID } else { nil }
    }

    var message: KafkaProducerMessage {
        switch self {
        case .replaceable(let message, _), .deadLetter(let message), .lastResort(let message): message
        }
    }
}
