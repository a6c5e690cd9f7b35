import InferenceJobs
import Testing

@Suite("Job topics")
struct JobTopicsTests {
    @Test("The topology has eight topics, the stream and the results and callbacks dead-letter topics among them")
    func allEight() {
        #expect(JobTopics().all == ["inference-jobs", "inference-results", "inference-stream", "inference-jobs.retry", "inference-jobs.dlq", "inference-results.dlq", "inference-results.callbacks.retry", "inference-results.callbacks.dlq"])
        let renamed = JobTopics(results: "r", resultsDeadLetter: "r.dead")
        #expect(renamed.all.contains("r.dead"))
        #expect(renamed.all.contains("r"))
    }
}
