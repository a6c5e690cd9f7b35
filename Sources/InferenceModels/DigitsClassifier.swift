import Foundation
import InferenceJobs

/// Recognises handwritten digits in 8x8 images: a multinomial logistic regression trained by
/// `scripts/train_digits.py` on scikit-learn's digits set, evaluated in Swift as `softmax(W x + b)`.
///
/// Input: 64 features, the pixel intensities `0...16` row by row. Output: label `"0"`...`"9"`, its probability, and
/// all ten probabilities indexed by digit.
public struct DigitsClassifier: InferenceModel {
    public let name = "digits"
    public let version: String
    public var inputLength: Int? { self.featureCount }
    /// The labels, indexed by class.
    public let labels: [String]
    /// The accuracy on the held-out images, as measured by the training script.
    public let heldOutAccuracy: Double

    private let featureCount: Int
    private let featureScale: Double
    /// `labels.count` rows of `featureCount` weights, flat so that a prediction reads one contiguous buffer.
    private let weights: [Double]
    private let intercepts: [Double]

    /// Loads the model bundled with this module.
    public init() throws {
        guard let url = Bundle.module.url(forResource: "digits-model", withExtension: "json", subdirectory: "Resources")
        else {
            throw ModelFailure(.fatal, "digits-model.json is missing from the InferenceModels resource bundle")
        }
        try self.init(contentsOf: url)
    }

    /// Loads a model file written by `scripts/train_digits.py`.
    public init(contentsOf url: URL) throws {
        let file = try JSONDecoder().decode(DigitsModelFile.self, from: Data(contentsOf: url))
        guard !file.labels.isEmpty, file.weights.count == file.labels.count,
            file.intercepts.count == file.labels.count,
            file.weights.allSatisfy({ $0.count == file.inputLength })
        else {
            throw ModelFailure(
                .fatal, "\(url.lastPathComponent) has weights that do not match its labels and input length"
            )
        }
        self.version = file.version
        self.labels = file.labels
        self.heldOutAccuracy = file.heldOutAccuracy
        self.featureCount = file.inputLength
        self.featureScale = file.featureScale
        self.weights = file.weights.flatMap { $0 }
        self.intercepts = file.intercepts
    }

    public func predict(_ batch: [ModelInput]) async throws -> [ModelOutput] {
        try batch.map { try self.predict($0) }
    }

    /// Classifies one input synchronously; `predict(_:)` calls it for every input of a batch.
    ///
    /// - Throws: `ModelFailure` (fatal) when the input does not have `inputLength` features.
    public func predict(_ input: ModelInput) throws(ModelFailure) -> ModelOutput {
        guard input.features.count == self.featureCount else {
            throw ModelFailure(
                .fatal, "the digits model takes \(self.featureCount) features, got \(input.features.count)"
            )
        }
        var scores = self.intercepts
        self.weights.withUnsafeBufferPointer { weights in
            input.features.withUnsafeBufferPointer { features in
                for label in 0..<scores.count {
                    let row = label * self.featureCount
                    var sum = 0.0
                    for feature in 0..<self.featureCount {
                        sum += weights[row + feature] * features[feature]
                    }
                    scores[label] += sum * self.featureScale
                }
            }
        }
        // Subtracting the largest logit keeps exp() finite for any finite input.
        var best = 0
        for label in 1..<scores.count where scores[label] > scores[best] {
            best = label
        }
        let largest = scores[best]
        var total = 0.0
        for label in 0..<scores.count {
            scores[label] = exp(scores[label] - largest)
            total += scores[label]
        }
        for label in 0..<scores.count {
            scores[label] /= total
        }
        return ModelOutput(label: self.labels[best], confidence: scores[best], scores: scores)
    }

    /// Every failure of this model is a property of the input or the model file, so it is fatal.
    public func failureClass(of error: any Error) -> FailureClass {
        .fatal
    }
}
