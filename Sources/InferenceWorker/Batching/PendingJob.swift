import Foundation
import InferenceJobs
import InferenceModels
import Kafka

/// A decoded job on its way to a model, with the message it came from (for offsets and dead letters).
///
/// A class: a job is copied between the queue, its batch and the publisher, and as a struct each copy
/// retained and released every string and array of the job and its message.
final class PendingJob: Sendable {
    let job: InferenceJob
    let message: KafkaConsumerMessage
    let model: any InferenceModel

    init(job: InferenceJob, message: KafkaConsumerMessage, model: any InferenceModel) {
        self.job = job
        self.message = message
        self.model = model
    }
}
