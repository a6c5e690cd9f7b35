import InferenceJobs
import InferenceModels
import Testing

@Suite struct SimulatedModelTests {
    let plain = ModelInput(features: [1, 2, 3])

    @Test func outputsAreADeterministicFunctionOfTheInput() async throws {
        let first = try await SimulatedModel().predict([self.plain, ModelInput(features: [4])])
        let second = try await SimulatedModel().predict([self.plain, ModelInput(features: [4])])
        #expect(first == second)
        let output = try #require(first[0].classification)
        #expect(output.scores.count == 10)
        #expect(abs(output.scores.reduce(0, +) - 1) < 1e-9)
        #expect(output.label == String(output.scores.indices.max { output.scores[$0] < output.scores[$1] }!))
    }

    @Test func inputsCanAskToFailEveryTime() async throws {
        let model = SimulatedModel()
        let fatal = ModelInput(features: [1]).simulating(.always(.fatal))
        for _ in 0..<3 {
            let outcomes = try await model.predictEach([self.plain, fatal])
            #expect((try? outcomes[0].get()) != nil)
            #expect(outcomes[1].failure?.failureClass == .fatal)
        }
    }

    @Test func inputsCanAskToFailTheirFirstAttempts() async throws {
        let model = SimulatedModel()
        let flaky = ModelInput(features: [2]).simulating(.first(times: 2, .retryable))
        var classes: [FailureClass?] = []
        for _ in 0..<4 {
            let outcome = try await model.predictEach([flaky])[0]
            classes.append(outcome.failure?.failureClass)
        }
        #expect(classes == [.retryable, .retryable, nil, nil])
    }

    @Test func copiesShareTheirCounts() async throws {
        let model = SimulatedModel()
        let copy = model
        let flaky = ModelInput(features: [3]).simulating(.first(times: 1, .retryable))
        #expect(try await model.predictEach([flaky])[0].failure != nil)
        #expect(try await copy.predictEach([flaky])[0].failure == nil)
    }

    @Test func anInputCanFailItsWholeBatch() async throws {
        let model = SimulatedModel()
        let crash = ModelInput(features: [4]).simulating(.wholeBatch)
        do {
            _ = try await model.predictEach([self.plain, crash])
            Issue.record("the batch did not throw")
        } catch {
            #expect(model.failureClass(of: error) == .retryable)
        }
    }

    @Test func markersTravelThroughTheJobJSON() throws {
        let json = #"{"job_id": "s", "inputs": {"features": [1], "simulate": {"fail": "retryable", "times": 2}}}"#
        let job = try JobCodec.decodeJob(Array(json.utf8), fallbackSubmittedAt: .distantPast)
        #expect(SimulatedFailure(requestedBy: job.inputs) == .first(times: 2, .retryable))
        #expect(SimulatedFailure(requestedBy: self.plain) == nil)
    }

    @Test func predictFailsTheCallWhenAnyInputFails() async {
        let fatal = ModelInput(features: [1]).simulating(.always(.fatal))
        await #expect(throws: ModelFailure(.fatal, "simulated fatal failure")) {
            try await SimulatedModel().predict([self.plain, fatal])
        }
    }

    @Test func randomFailuresFollowTheSeedAndTheRate() async throws {
        let configuration = SimulatedModel.Configuration(failureRate: 0.2, seed: 42)
        let inputs = (0..<2000).map { ModelInput(features: [Double($0)]) }
        let first = try await SimulatedModel(configuration: configuration).predictEach(inputs).map { $0.failure }
        let second = try await SimulatedModel(configuration: configuration).predictEach(inputs).map { $0.failure }
        #expect(first == second)
        let failures = first.compactMap { $0 }
        #expect(failures.allSatisfy { $0.failureClass == .retryable })
        #expect((300...500).contains(failures.count), "\(failures.count) failures of 2000 at rate 0.2")
    }

    @Test func latencyIsSpentBeforeAnswering() async throws {
        let model = SimulatedModel(
            configuration: .init(batchLatency: .milliseconds(30), itemLatency: .milliseconds(10))
        )
        let elapsed = try await ContinuousClock().measure {
            _ = try await model.predict([self.plain, self.plain])
        }
        #expect(elapsed >= .milliseconds(50))
    }

    @Test func catalogFindsModelsByNameAndFallsBackToTheDefault() throws {
        let catalog = ModelCatalog([SimulatedModel(), try DigitsClassifier()], defaultModelName: "digits")
        #expect(catalog.model(named: nil)?.name == "digits")
        #expect(catalog.model(named: "simulated")?.name == "simulated")
        #expect(catalog.model(named: "gpt") == nil)
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}
