import Crypto
import Foundation
import InferenceJobs

/// Signs deliveries as Standard Webhooks 1.0 specifies: `webhook-signature` is `v1,` and the base64 HMAC-SHA256 of
/// `{webhook-id}.{webhook-timestamp}.{body}` under each secret, space-separated.
public struct WebhookSigner: Sendable, Hashable {
    public let secrets: WebhookSecrets

    public init(secrets: WebhookSecrets) {
        self.secrets = secrets
    }

    /// The three headers for `body` sent at `timestamp` (Unix seconds) under message ID `id`.
    public func headers(id: String, timestamp: Int64, body: [UInt8]) -> WebhookHeaders {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        let signatures = self.secrets.secrets.map { secret in
            let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: secret.key))
            return "v1," + Data(mac).base64EncodedString()
        }
        return WebhookHeaders(id: id, timestamp: timestamp, signature: signatures.joined(separator: " "))
    }

    /// The headers for delivering `result`, encoded as `body`, at `now`.
    public func headers(for result: JobResult, body: [UInt8], now: Date) -> WebhookHeaders {
        self.headers(id: Self.messageID(for: result), timestamp: Int64(now.timeIntervalSince1970.rounded(.down)), body: body)
    }

    /// The `webhook-id` of a result: `kinfer_` and 32 hex digits of SHA-256 over the job ID and the result's
    /// `completed_at` in milliseconds.
    ///
    /// Stable per job and result, so that receivers deduplicate: every attempt, a replay from the DLQ, and a
    /// redelivery after a crash of the same result carry the same ID; a job's different result (it was run again
    /// and completed at another time) carries another. Hashed rather than spelled out because a submitter's own job
    /// ID may hold characters a header or the `.`-joined signed content should not.
    public static func messageID(for result: JobResult) -> String {
        let milliseconds = Int64((result.completedAt.timeIntervalSince1970 * 1000).rounded(.down))
        let digest = SHA256.hash(data: Array("\(result.jobID)\n\(milliseconds)".utf8))
        return "kinfer_" + digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

/// The Standard Webhooks headers of one delivery attempt.
public struct WebhookHeaders: Sendable, Hashable {
    /// `webhook-id`.
    public let id: String
    /// `webhook-timestamp`, Unix seconds.
    public let timestamp: Int64
    /// `webhook-signature`: `v1,<base64>` per secret, space-separated.
    public let signature: String

    /// Name and value pairs in the spec's lower-case spelling.
    public var fields: [(name: String, value: String)] {
        [("webhook-id", self.id), ("webhook-timestamp", String(self.timestamp)), ("webhook-signature", self.signature)]
    }
}
