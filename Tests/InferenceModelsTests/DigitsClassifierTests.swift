import Foundation
import InferenceJobs
import InferenceModels
import Testing

@Suite struct DigitsClassifierTests {
    let classifier: DigitsClassifier
    let testSet: DigitsTestSet

    init() throws {
        self.classifier = try DigitsClassifier()
        self.testSet = try DigitsTestSet()
    }

    @Test func describesItself() {
        #expect(self.classifier.name == "digits")
        #expect(self.classifier.version == "digits-lr-1")
        #expect(self.classifier.inputLength == 64)
        #expect(self.classifier.labels == (0..<10).map(String.init))
    }

    @Test func classifiesTheHeldOutSetAccurately() async throws {
        let outputs = try await self.classifier.predict(self.testSet.inputs)
        let correct = zip(outputs, self.testSet.labels).filter { $0.classification?.label == $1 }.count
        let accuracy = Double(correct) / Double(self.testSet.count)
        print("digits held-out accuracy: \(correct)/\(self.testSet.count) = \(accuracy)")
        #expect(self.testSet.count >= 300)
        #expect(accuracy >= 0.95)
        #expect(abs(accuracy - self.classifier.heldOutAccuracy) < 0.005, "Swift and scikit-learn disagree")
    }

    /// An argmax of `W x + b` computed here from the model file, independently of the classifier's code.
    @Test func predictsTheArgmaxOfTheLinearScores() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/InferenceModels/Resources/digits-model.json")
        let model = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let weights = try #require(model["weights"] as? [[Double]])
        let intercepts = try #require(model["intercepts"] as? [Double])

        for index in [0, 1, 2, 17, 123, 359] {
            let features = self.testSet.features[index]
            let linear = zip(weights, intercepts).map { row, intercept in
                zip(row, features).reduce(intercept) { $0 + $1.0 * $1.1 }
            }
            let expected = linear.indices.max { linear[$0] < linear[$1] }!
            let output = try #require(try self.classifier.predict(ModelInput(features: features)).classification)
            #expect(output.label == String(expected), "image \(index)")
            #expect(output.scores.count == 10)
            #expect(abs(output.scores.reduce(0, +) - 1) < 1e-9)
            #expect(output.confidence == output.scores[expected])
            #expect(output.scores.allSatisfy { $0 >= 0 && $0 <= output.confidence })
        }
    }

    @Test func extremeInputsStillGiveFiniteProbabilities() throws {
        let output = try #require(try self.classifier.predict(ModelInput(features: Array(repeating: 1e300, count: 64))).classification)
        #expect(output.scores.allSatisfy { $0.isFinite })
        #expect(output.confidence.isFinite)
    }

    @Test func wrongInputLengthIsAFatalFailure() async {
        await #expect(throws: ModelFailure.self) {
            try await self.classifier.predict([ModelInput(features: [1, 2, 3])])
        }
        do {
            _ = try self.classifier.predict(ModelInput(features: []))
            Issue.record("an empty input was classified")
        } catch {
            #expect(error.failureClass == .fatal)
            #expect(self.classifier.failureClass(of: error) == .fatal)
        }
    }
}
