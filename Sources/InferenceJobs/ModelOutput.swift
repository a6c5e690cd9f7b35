/// What a classifier says about one input.
public struct ModelOutput: Sendable, Hashable {
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
