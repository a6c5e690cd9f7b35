import InferenceJobs
import Testing

@Suite("Job topics")
struct JobTopicsTests {
    @Test("The topology has five topics, the results dead-letter topic among them")
    func allFive() {
        #expect(JobTopics().all == ["inference-jobs", "inference-results", "inference-jobs.retry", "inference-jobs.dlq", "inference-results.dlq"])
        let renamed = JobTopics(results: "r", resultsDeadLetter: "r.dead")
        #expect(renamed.all.suffix(1) == ["r.dead"])
        #expect(renamed.all.contains("r"))
    }
}
