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
        // The gateway's own IDs (and most clients') are letters, digits and `-._~`: nothing to encode, and no
        // Foundation on every `202`.
        if text.utf8.allSatisfy(Self.isUnreserved) { return text }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// RFC 3986's unreserved characters.
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
