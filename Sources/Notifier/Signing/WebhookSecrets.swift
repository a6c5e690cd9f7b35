/// The one or two secrets deliveries are signed with, as `KINFER_WEBHOOK_SECRET` holds them: space-separated
/// during a rotation, so that receivers still holding the old secret and those already on the new one both verify.
public struct WebhookSecrets: Sendable, Hashable, CustomStringConvertible {
    /// In the order given; every delivery carries one signature per secret, in this order.
    public let secrets: [WebhookSecret]

    /// - Throws: ``WebhookSecret/InvalidSecret`` for an empty value, more than two secrets, or one not in the
    ///   `whsec_` form (the error says which, by position, never by value).
    public init(environmentValue value: String) throws(WebhookSecret.InvalidSecret) {
        let parts = value.split(whereSeparator: \.isWhitespace)
        guard (1...2).contains(parts.count) else {
            throw WebhookSecret.InvalidSecret(reason: "expected one secret, or two separated by a space; got \(parts.count)")
        }
        var secrets: [WebhookSecret] = []
        for (index, part) in parts.enumerated() {
            do throws(WebhookSecret.InvalidSecret) { secrets.append(try WebhookSecret(part)) } catch {
                throw WebhookSecret.InvalidSecret(reason: "secret \(index + 1) of \(parts.count): \(error.reason)")
            }
        }
        self.secrets = secrets
    }

    public init(_ secrets: [WebhookSecret]) {
        precondition((1...2).contains(secrets.count), "one or two webhook secrets")
        self.secrets = secrets
    }

    public var description: String { "\(self.secrets.count) webhook secret(s), redacted" }
}
