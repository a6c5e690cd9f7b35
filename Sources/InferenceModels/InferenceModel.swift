import InferenceJobs

/// A model the worker can run: one `predict` call serves a whole batch.
///
/// Models are values shared by concurrently running batches, hence `Sendable`.
public protocol InferenceModel: Sendable {
    /// The name jobs use to address this model, e.g. `digits`.
    var name: String { get }
    /// The version recorded in every result.
    var version: String { get }
    /// How many features each input must have, or `nil` when any length is accepted.
    /// The worker dead-letters a job whose input has another length without calling the model.
    var inputLength: Int? { get }
    /// Runs the model on a batch; returns one output per input, in order.
    func predict(_ batch: [ModelInput]) async throws -> [ModelOutput]
    /// Whether a failure thrown by `predict` may succeed when tried again.
    func failureClass(of error: any Error) -> FailureClass
}
