/// The models a worker serves, looked up by the name a job gives.
public struct ModelCatalog: Sendable {
    /// The models, by `name`.
    public let models: [String: any InferenceModel]
    /// The model for jobs that name none.
    public let defaultModel: any InferenceModel

    /// - Parameters:
    ///   - models: The models to serve; their names must be distinct.
    ///   - defaultModelName: The model for jobs without `model`. Defaults to the first of `models`.
    public init(_ models: [any InferenceModel], defaultModelName: String? = nil) {
        precondition(!models.isEmpty, "a catalog needs at least one model")
        self.models = Dictionary(models.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in
            preconditionFailure("two models are named '\(first.name)'")
        })
        let defaultModelName = defaultModelName ?? models[0].name
        guard let defaultModel = self.models[defaultModelName] else {
            preconditionFailure("the default model '\(defaultModelName)' is not in the catalog")
        }
        self.defaultModel = defaultModel
    }

    /// The model a job asks for: `name`'s model, the default model when `name` is `nil`, or `nil` when no model has
    /// that name (the worker then fails the job as poison).
    public func model(named name: String?) -> (any InferenceModel)? {
        guard let name else { return self.defaultModel }
        return self.models[name]
    }
}
