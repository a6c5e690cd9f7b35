/// The key a submission is deduplicated by: the `Idempotency-Key` header, or else the body's `job_id`.
///
/// The two are namespaced apart in the store (`key:` and `job:`), so that a client's key can never collide with
/// another client's job ID. A submission with neither has no key: a retry of it makes a new job.
public struct IdempotencyKey: Sendable, Hashable {
    /// The namespaced form stored as the record's key.
    public let storedKey: String

    /// The most characters a key may have, as in Stripe's API and the IETF draft's examples.
    static let maximumLength = 255

    /// From the `Idempotency-Key` header: 1 to 255 visible ASCII characters (RFC 9110 field-value characters).
    ///
    /// - Throws: ``Problem`` `400` naming the header.
    static func header(_ value: String) throws(Problem) -> IdempotencyKey {
        guard !value.isEmpty, value.utf8.count <= Self.maximumLength,
            value.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else {
            throw Problem.invalidHeader(
                "Idempotency-Key", "'Idempotency-Key' must be 1 to \(Self.maximumLength) visible ASCII characters"
            )
        }
        return IdempotencyKey(storedKey: "key:" + value)
    }

    /// From a client's `job_id`.
    static func jobID(_ jobID: String) -> IdempotencyKey {
        IdempotencyKey(storedKey: "job:" + jobID)
    }
}
