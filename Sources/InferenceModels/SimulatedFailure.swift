import InferenceJobs

/// How `SimulatedModel` should fail for one input, requested by the input itself.
///
/// The request travels inside the job, as `inputs.simulate` in its JSON (`ModelInput.extra["simulate"]`), so a test
/// that submits jobs through Kafka can script failures without reaching into the worker:
/// - `{"fail": "fatal"}` or `{"fail": "retryable"}`: every attempt fails with that class.
/// - `{"fail": "retryable", "times": 2}`: the first two predictions of this input fail, later ones succeed.
/// - `{"fail": "batch"}`: the whole `predictEach` call throws, failing every input in the batch.
public enum SimulatedFailure: Sendable, Hashable {
    /// Every prediction of the input fails with this class.
    case always(FailureClass)
    /// The first `times` predictions of the input fail with this class; later ones succeed.
    case first(times: Int, FailureClass)
    /// Any batch containing the input throws as a whole.
    case wholeBatch

    /// The key under which an input carries its request: `simulate`.
    public static let inputKey = "simulate"

    /// The request as it appears in `ModelInput.extra[inputKey]`.
    public var marker: JSONValue {
        switch self {
        case .always(let failureClass):
            .object(["fail": .string(failureClass.rawValue)])
        case .first(let times, let failureClass):
            .object(["fail": .string(failureClass.rawValue), "times": .integer(times)])
        case .wholeBatch:
            .object(["fail": .string("batch")])
        }
    }

    /// Reads the request carried by `input`; `nil` when there is none or it is not understood.
    public init?(requestedBy input: ModelInput) {
        guard case .object(let fields)? = input.extra[Self.inputKey], case .string(let fail)? = fields["fail"] else {
            return nil
        }
        if fail == "batch" {
            self = .wholeBatch
            return
        }
        guard let failureClass = FailureClass(rawValue: fail) else { return nil }
        switch fields["times"] {
        case nil: self = .always(failureClass)
        case .integer(let times)?: self = .first(times: times, failureClass)
        default: return nil
        }
    }
}

extension ModelInput {
    /// This input with a request that `SimulatedModel` fail in the given way.
    public func simulating(_ failure: SimulatedFailure) -> ModelInput {
        var input = self
        input.extra[SimulatedFailure.inputKey] = failure.marker
        return input
    }
}
