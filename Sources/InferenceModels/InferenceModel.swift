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
    /// Runs the model on a batch where each input may fail on its own; returns one outcome per input, in order.
    ///
    /// Throwing still fails the whole batch, as when the model's backend is down. The worker calls this rather than
    /// `predict`, so that one bad input does not fail its batch-mates. Defaults to `predict`, every input succeeding.
    func predictEach(_ batch: [ModelInput]) async throws -> [Result<ModelOutput, ModelFailure>]
    /// Whether a failure thrown by `predict` may succeed when tried again.
    func failureClass(of error: any Error) -> FailureClass
}

extension InferenceModel {
    public func predictEach(_ batch: [ModelInput]) async throws -> [Result<ModelOutput, ModelFailure>] {
        try await self.predict(batch).map { .success($0) }
    }
}
