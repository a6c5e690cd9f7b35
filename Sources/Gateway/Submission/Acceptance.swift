import Foundation

/// The `202 Accepted` answer to a submission, the same for the first request and for every replay of its key.
struct Acceptance: Sendable, Hashable {
    var jobID: String
    /// Seconds until the result is expected, or `nil` while the gateway has no estimate.
    var estimatedWaitSeconds: Double?

    /// `/v1/jobs/ID`, with the ID percent-encoded as a path segment.
    var location: String { "/v1/jobs/" + Self.pathSegment(self.jobID) }

    var json: [UInt8] {
        let links: [String: Any] = ["self": self.location, "events": self.location + "/events"]
        let object: [String: Any] = [
            "job_id": self.jobID,
            "status": "pending",
            "estimated_wait_seconds": self.estimatedWaitSeconds.map { $0 as Any } ?? NSNull(),
            "links": links,
        ]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
