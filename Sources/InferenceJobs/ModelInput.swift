/// What a model runs on: one job's payload, the `inputs` object of a canonical job.
///
/// A classifier reads `features`; a generative model reads `prompt` or `messages` (the chat shape) and `maxTokens`.
/// A job carries at least one of `features`, `prompt` and `messages`.
public struct ModelInput: Sendable, Hashable {
    /// The feature vector (`features`), e.g. 64 pixel intensities `0...16` for the digits model; empty when the job
    /// has none.
    public var features: [Double]
    /// An image to fetch instead of, or besides, the features (`image_url`); no current model reads it.
    public var imageURL: String?
    /// The text to continue (`prompt`).
    public var prompt: String?
    /// A conversation to answer (`messages`), in OpenAI's chat shape.
    public var messages: [ChatMessage]?
    /// The most tokens to generate (`max_tokens`); `nil` for the model's own limit.
    public var maxTokens: Int?
    /// Input fields this version does not know, written back unchanged.
    public var extra: [String: JSONValue]

    public init(
        features: [Double] = [],
        imageURL: String? = nil,
        prompt: String? = nil,
        messages: [ChatMessage]? = nil,
        maxTokens: Int? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.features = features
        self.imageURL = imageURL
        self.prompt = prompt
        self.messages = messages
        self.maxTokens = maxTokens
        self.extra = extra
    }
}

/// One turn of a conversation (`{"role": "user", "content": "…"}`).
public struct ChatMessage: Sendable, Hashable {
    /// Who spoke: `system`, `user` or `assistant`.
    public var role: String
    /// What was said.
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
