import Foundation
import InferenceJobs

/// The digits images the bundled model was not trained on, with their true labels: for measuring accuracy and for
/// demo traffic with known answers.
public struct DigitsTestSet: Sendable {
    /// One 64-feature image per example, intensities `0...16`.
    public let features: [[Double]]
    /// The true label of each image, `"0"`...`"9"`.
    public let labels: [String]

    /// Loads the held-out set bundled with this module.
    public init() throws {
        guard let url = Bundle.module.url(forResource: "digits-test", withExtension: "json", subdirectory: "Resources")
        else {
            throw ModelFailure(.fatal, "digits-test.json is missing from the InferenceModels resource bundle")
        }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        guard file.features.count == file.labels.count else {
            throw ModelFailure(
                .fatal, "digits-test.json has \(file.features.count) images but \(file.labels.count) labels"
            )
        }
        self.features = file.features.map { $0.map(Double.init) }
        self.labels = file.labels
    }

    public var count: Int { self.labels.count }

    /// The images as model inputs, in order.
    public var inputs: [ModelInput] {
        self.features.map { ModelInput(features: $0) }
    }

    private struct File: Decodable {
        var features: [[Int]]
        var labels: [String]
    }
}
