import InferenceJobs
import InferenceModels

/// Runs a batch through its model; when the whole call throws, splits the batch in halves and
/// tries each, down to single jobs, so that only the jobs that make the model fail are failed.
enum BisectingPredictor {
    /// One outcome per input, in order.
    static func predict(_ inputs: [ModelInput], with model: any InferenceModel) async -> [Result<ModelOutput, ModelFailure>] {
        do {
            let outcomes = try await model.predictEach(inputs)
            guard outcomes.count == inputs.count else {
                let failure = ModelFailure(.fatal, "the model returned \(outcomes.count) outputs for \(inputs.count) inputs")
                return Array(repeating: .failure(failure), count: inputs.count)
            }
            return outcomes
        } catch {
            guard inputs.count > 1 else {
                return [.failure(failure(error, of: model))]
            }
            let middle = inputs.count / 2
            let first = await predict(Array(inputs[..<middle]), with: model)
            let second = await predict(Array(inputs[middle...]), with: model)
            return first + second
        }
    }

    private static func failure(_ error: any Error, of model: any InferenceModel) -> ModelFailure {
        if let failure = error as? ModelFailure { return failure }
        if error is CancellationError { return ModelFailure(.retryable, "cancelled") }
        return ModelFailure(model.failureClass(of: error), "\(error)")
    }
}
