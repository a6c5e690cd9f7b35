import Foundation

/// A Standard Webhooks signing secret, `whsec_` followed by base64; the HMAC key is the decoded bytes.
///
/// Never printed: ``description`` and ``debugDescription`` are redacted, so a secret that ends up in a log line, an
/// error or a test failure gives nothing away.
public struct WebhookSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The HMAC-SHA256 key.
    let key: [UInt8]

    /// The fewest key bytes taken: Standard Webhooks asks for 24 to 64 bytes.
    public static let keyLengths = 24...64

    /// - Throws: ``InvalidSecret`` unless `text` is `whsec_` and standard base64 of 24 to 64 bytes.
    public init(_ text: some StringProtocol) throws(InvalidSecret) {
        guard text.hasPrefix("whsec_") else { throw InvalidSecret(reason: "it does not start with 'whsec_'") }
        guard let key = Data(base64Encoded: String(text.dropFirst(6))) else {
            throw InvalidSecret(reason: "the part after 'whsec_' is not base64")
        }
        guard Self.keyLengths.contains(key.count) else {
            throw InvalidSecret(reason: "it decodes to \(key.count) bytes, not 24 to 64")
        }
        self.key = Array(key)
    }

    public var description: String { "whsec_<redacted>" }
    public var debugDescription: String { self.description }

    /// A secret that cannot be used; the description says why without repeating any of it.
    public struct InvalidSecret: Error, Sendable, Hashable, CustomStringConvertible {
        public let reason: String
        public var description: String { "the webhook secret is not a Standard Webhooks secret: \(self.reason)" }
    }
}
