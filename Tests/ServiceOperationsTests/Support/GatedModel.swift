import InferenceJobs
import InferenceModels
import KinferTestSupport

/// A model that answers at once while its gate is open and holds every call while it is closed: jobs stay in
/// flight, nothing is committed, and the backlog behind them is known exactly.
struct GatedModel: InferenceModel {
    let gate = Gate()
    var name: String { "gated" }
    var version: String { "1" }
    var inputLength: Int? { nil }

    func predict(_ batch: [ModelInput]) async throws -> [ModelOutput] {
        await gate.pass()
        return batch.map { _ in ModelOutput(label: "ok", confidence: 1, scores: [1]) }
    }

    func failureClass(of error: any Error) -> FailureClass { .retryable }
}
