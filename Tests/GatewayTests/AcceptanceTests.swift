import Foundation
@testable import Gateway
import Testing

/// The `202` body, written by hand: it must read back as the object it stands for, whatever the job ID holds.
@Suite("Acceptance body")
struct AcceptanceTests {
    @Test(arguments: [
        ("019ad1b2-3c4d-7e5f-8a6b-7c8d9e0f1a2b", 0.4 as Double?),
        (#"order "42"/a\b ü"#, nil),
        ("tab\there\u{1}", 12_345.678_9),
        ("whole", 3),
    ])
    func readsBackAsTheObject(jobID: String, estimate: Double?) throws {
        let acceptance = Acceptance(jobID: jobID, estimatedWaitSeconds: estimate)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(acceptance.json)) as? [String: Any])
        #expect(Set(object.keys) == ["job_id", "status", "estimated_wait_seconds", "links"])
        #expect(object["job_id"] as? String == jobID)
        #expect(object["status"] as? String == "pending")
        if let estimate {
            #expect(object["estimated_wait_seconds"] as? Double == estimate)
        } else {
            #expect(object["estimated_wait_seconds"] is NSNull)
        }
        let links = try #require(object["links"] as? [String: String])
        #expect(links == ["self": acceptance.location, "events": acceptance.location + "/events"])
        #expect(acceptance.location.hasPrefix("/v1/jobs/") && !acceptance.location.dropFirst(9).contains("/"), "the ID is one path segment")
    }
}
