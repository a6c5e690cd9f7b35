/// What a model runs on: one job's payload, the `inputs` object of a canonical job.
public struct ModelInput: Sendable, Hashable {
    /// The feature vector (`features`), e.g. 64 pixel intensities `0...16` for the digits model.
    public var features: [Double]
    /// An image to fetch instead of, or besides, the features (`image_url`); no current model reads it.
    public var imageURL: String?
    /// Input fields this version does not know, written back unchanged.
    public var extra: [String: JSONValue]

    public init(features: [Double], imageURL: String? = nil, extra: [String: JSONValue] = [:]) {
        self.features = features
        self.imageURL = imageURL
        self.extra = extra
    }
}
