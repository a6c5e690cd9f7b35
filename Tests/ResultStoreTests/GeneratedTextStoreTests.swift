import KinferTestSupport
import Foundation
import InferenceJobs
import ResultStore
import Testing

@Suite("Generated text in the store")
struct GeneratedTextStoreTests {
    /// A generative model's result comes back from the store as it went in: text (with characters JSON must escape),
    /// the chunk count and the finish reason.
    @Test(arguments: StoreKind.allCases)
    func aTextResultRoundTrips(kind: StoreKind) async throws {
        var result = ResultFixtures.result(0)
        result.jobID = "job-generated"
        result.model = "generator"
        result.modelVersion = "generator-1"
        result.output = .text(GeneratedText(text: "Queues \"hold\"\nthe wörk\t\\ 🙂", tokens: 7, finishReason: "length"))
        var empty = ResultFixtures.result(3)
        empty.jobID = "job-generated-empty"
        empty.output = .text(GeneratedText(text: "", tokens: 0, finishReason: "stop"))
        let stored = [StoredResult(result: result, partition: 1, offset: 40), StoredResult(result: empty, partition: 2, offset: 41)]
        try await withFreshStore(kind) { store, _ in
            #expect(try await store.write(stored) == WriteOutcome(inserted: 2, duplicatesAbsorbed: 0))
            for expected in stored {
                let found = try #require(try await store.result(for: expected.jobID))
                #expect(found == expected)
                #expect(found.result.output?.generatedText == expected.result.output?.generatedText)
            }
        }
    }
}
