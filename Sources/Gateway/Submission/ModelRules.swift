/// What the workers serve, as far as the gateway checks a job before enqueuing it: the model names, each with its
/// input width when known, and the model a job without `model` gets.
///
/// Configuration, not a look-up: the gateway does not load models. `kinfer gateway` fills it from the same names the
/// workers take (`--model`), so that a job the workers would fail as poison is refused with a `422` instead.
public struct ModelRules: Sendable, Hashable {
    /// The served models by name, each with its feature count (`nil`: any count).
    public var inputWidths: [String: Int?]
    /// The model of jobs without `model`; `nil` when the catalog has none (then `model` is required).
    public var defaultModel: String?

    /// Accepts any model name and any width: for a gateway in front of workers it knows nothing about.
    public static let unchecked = ModelRules(inputWidths: [:], defaultModel: nil)

    public init(inputWidths: [String: Int?], defaultModel: String?) {
        self.inputWidths = inputWidths
        self.defaultModel = defaultModel
    }

    /// Whether any model is listed; when none is, nothing is checked.
    public var isChecked: Bool { !self.inputWidths.isEmpty }

    /// The problems of a job asking for `model` with `featureCount` features; empty when it may be enqueued.
    ///
    /// - Parameter featuresField: How the client named the features, `inputs.features` or `features`.
    func problems(model: String?, featureCount: Int, featuresField: String) -> [Problem.FieldError] {
        guard self.isChecked else { return [] }
        guard let name = model ?? self.defaultModel else {
            return [Problem.FieldError(field: "model", message: "'model' is required: this gateway has no default model", reason: "missing_field")]
        }
        guard let width = self.inputWidths[name] else {
            let served = self.inputWidths.keys.sorted().joined(separator: ", ")
            return [Problem.FieldError(field: "model", message: "model '\(name)' is not served; served: \(served)", reason: "unknown_model")]
        }
        if let width, featureCount != width {
            return [
                Problem.FieldError(
                    field: featuresField,
                    message: "model '\(name)' takes \(width) features, got \(featureCount)",
                    reason: "wrong_feature_count"
                )
            ]
        }
        return []
    }

    /// The problem of a chat completion asking for `model`, or `nil`: a model not served, or one with a fixed input
    /// width (a classifier of feature vectors, which writes no text).
    func generationProblem(model: String) -> Problem.FieldError? {
        guard self.isChecked else { return nil }
        guard let width = self.inputWidths[model] else {
            let served = self.inputWidths.keys.sorted().joined(separator: ", ")
            return Problem.FieldError(field: "model", message: "model '\(model)' is not served; served: \(served)", reason: "unknown_model")
        }
        if let width {
            return Problem.FieldError(
                field: "model", message: "model '\(model)' classifies \(width) features; it does not generate text", reason: "not_generative"
            )
        }
        return nil
    }
}
