import Foundation
import InferenceJobs
import InferenceModels
import Kafka

/// A decoded job on its way to a model, with the message it came from (for offsets and dead letters).
struct PendingJob: Sendable {
    let job: InferenceJob
    let message: KafkaConsumerMessage
    let model: any InferenceModel
}
