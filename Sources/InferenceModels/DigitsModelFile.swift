import Foundation

/// The layout of `digits-model.json`, as written by `scripts/train_digits.py`.
struct DigitsModelFile: Decodable {
    var version: String
    var labels: [String]
    var inputLength: Int
    var featureScale: Double
    /// One row of `inputLength` weights per label.
    var weights: [[Double]]
    var intercepts: [Double]
    var trainingAccuracy: Double
    var heldOutAccuracy: Double

    enum CodingKeys: String, CodingKey {
        case version, labels, weights, intercepts
        case inputLength = "input_length"
        case featureScale = "feature_scale"
        case trainingAccuracy = "training_accuracy"
        case heldOutAccuracy = "held_out_accuracy"
    }
}
