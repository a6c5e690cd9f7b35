/// What a model made of one input: a classification, or generated text.
public enum ModelOutput: Sendable, Hashable {
    /// A classifier's answer (`output.label`, `output.confidence`, `output.scores`).
    case classification(Classification)
    /// A generative model's answer (`output.text`, `output.tokens`, `output.finish_reason`).
    case text(GeneratedText)

    /// A classification; what every classifier returns.
    public init(label: String, confidence: Double, scores: [Double]) {
        self = .classification(Classification(label: label, confidence: confidence, scores: scores))
    }

    /// The classification, or `nil` for generated text.
    public var classification: Classification? {
        guard case .classification(let classification) = self else { return nil }
        return classification
    }

    /// The generated text, or `nil` for a classification.
    public var generatedText: GeneratedText? {
        guard case .text(let text) = self else { return nil }
        return text
    }
}

/// What a classifier says about one input.
public struct Classification: Sendable, Hashable {
    /// The most probable class's label, e.g. `"7"` for the digits model.
    public var label: String
    /// The probability of `label`, in `0...1`.
    public var confidence: Double
    /// One probability per class, indexed by class index (for digits, index `i` is label `"i"`).
    public var scores: [Double]

    public init(label: String, confidence: Double, scores: [Double]) {
        self.label = label
        self.confidence = confidence
        self.scores = scores
    }
}

/// What a generative model wrote for one input: the whole text, as its streamed chunks concatenated.
public struct GeneratedText: Sendable, Hashable {
    /// The text (`text`).
    public var text: String
    /// How many chunks (tokens) made it (`tokens`): the stream of a job that asked for one has indices `0..<tokens`.
    public var tokens: Int
    /// Why generation ended (`finish_reason`), in OpenAI's words: `stop` (the model ended) or `length` (`max_tokens`).
    public var finishReason: String

    public init(text: String, tokens: Int, finishReason: String) {
        self.text = text
        self.tokens = tokens
        self.finishReason = finishReason
    }
}
