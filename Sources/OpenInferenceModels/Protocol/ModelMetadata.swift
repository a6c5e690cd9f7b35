/// What `GET /v2/models/NAME` says about a model; every field is optional in practice (MLServer leaves the tensor
/// lists empty unless the model's settings declare them).
struct ModelMetadata: Decodable, Sendable, Equatable {
    struct Tensor: Decodable, Sendable, Equatable {
        var name: String
        var datatype: String
        var shape: [Int]
    }

    var versions: [String]?
    var inputs: [Tensor]?
    var outputs: [Tensor]?

    /// The feature count of a single `[-1, N]` input, or `nil` when the metadata does not declare one.
    var inputLength: Int? {
        guard let inputs, inputs.count == 1, inputs[0].shape.count == 2, inputs[0].shape[1] > 0 else { return nil }
        return inputs[0].shape[1]
    }
}
