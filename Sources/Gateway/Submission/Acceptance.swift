import Foundation
import InferenceJobs

/// The `202 Accepted` answer to a submission, the same for the first request and for every replay of its key.
struct Acceptance: Sendable, Hashable {
    var jobID: String
    /// Seconds until the result is expected, or `nil` while the gateway has no estimate.
    var estimatedWaitSeconds: Double?

    /// `/v1/jobs/ID`, with the ID percent-encoded as a path segment.
    var location: String { "/v1/jobs/" + Self.pathSegment(self.jobID) }

    /// Written by hand, keys in sorted order: this is the body of every `202`, on the submit path's hot loop.
    var json: [UInt8] {
        let location = self.location
        var writer = JSONWriter(capacity: 160 + 3 * location.utf8.count)
        writer.raw(#"{"estimated_wait_seconds":"#)
        if let seconds = self.estimatedWaitSeconds { writer.number(seconds) } else { writer.raw("null") }
        writer.raw(#","job_id":"#)
        writer.string(self.jobID)
        writer.raw(#","links":{"events":"#)
        writer.string(location + "/events")
        writer.raw(#","self":"#)
        writer.string(location)
        writer.raw(#"},"status":"pending"}"#)
        return writer.bytes
    }

    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
