import Foundation
@testable import Gateway
import InferenceJobs
import ResultStore
import Testing

/// `GET /v1/jobs/{id}` of a pending job, written by hand: it reads back as the object, whatever the ID holds.
@Suite("Job status body")
struct JobStatusBodyTests {
    @Test(arguments: ["019ad1b2-3c4d-7e5f-8a6b-7c8d9e0f1a2b", #"order "42"/a\b ü"#])
    func aPendingJobReadsBack(jobID: String) throws {
        let acceptedAt = Date(timeIntervalSince1970: 1_764_672_000.123)
        let body = JobStatusBody.json(jobID: jobID, record: .pending(acceptedAt: acceptedAt))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: String])
        #expect(object == ["job_id": jobID, "status": "pending", "accepted_at": JobTimestamp.format(acceptedAt)])
        #expect(object["accepted_at"] == "2025-12-02T10:40:00.123Z")
    }
}
