import InferenceJobs

/// An RFC 9457 problem: what every refused request is answered with, as `application/problem+json`.
///
/// A pure value, so that each refusal is tested without a socket; ``GatewayResponder`` turns it into a response.
public struct Problem: Sendable, Hashable, Error {
    /// One offending part of the request, named as the client wrote it (`inputs.features`, `model`, the header
    /// `Idempotency-Key`).
    public struct FieldError: Sendable, Hashable, Codable {
        public var field: String
        public var message: String
        /// The decoder's stable reason, e.g. `wrong_field_type`, when there is one.
        public var reason: String?

        public init(field: String, message: String, reason: String? = nil) {
            self.field = field
            self.message = message
            self.reason = reason
        }
    }

    /// The HTTP status code.
    public var status: Int
    /// A relative URI naming the kind of problem, e.g. `/problems/invalid-job`; documented in the OpenAPI document.
    public var type: String
    /// A short summary that is the same for every problem of the type.
    public var title: String
    /// This occurrence, in words.
    public var detail: String
    public var errors: [FieldError]
    /// Seconds, for the `Retry-After` header of `503`s.
    public var retryAfter: Int?
    /// The job the problem is about, when there is one (a `409` or `422` for a key names the key's job).
    public var jobID: String?
    /// For `405`: the methods the route has.
    public var allow: [String]?
    /// For a `504` of `/v1/predict`: where the job's result is read later (`Location`).
    public var location: String?
    /// Whether the body also carries OpenAI's `error` object (``openAIError``): on `/v1/chat/completions`.
    var speaksOpenAI = false

    public init(
        status: Int,
        type: String,
        title: String,
        detail: String,
        errors: [FieldError] = [],
        retryAfter: Int? = nil,
        jobID: String? = nil,
        allow: [String]? = nil
    ) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.errors = errors
        self.retryAfter = retryAfter
        self.jobID = jobID
        self.allow = allow
    }

    /// The body: `type`, `title`, `status`, `detail`, and `errors` and `job_id` when there are any; OpenAI's `error`
    /// object too when ``speaksOpenAI``. Its members in name order. Written through the contract's `JSONWriter`: a
    /// gateway under back-pressure answers most requests with a `429`, so its body must cost no more than a `202`'s.
    public var json: [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.raw("{\"detail\":")
        writer.string(self.detail)
        if self.speaksOpenAI {
            writer.raw(",\"error\":")
            self.writeOpenAIError(to: &writer)
        }
        if !self.errors.isEmpty {
            writer.raw(",\"errors\":[")
            for (index, error) in self.errors.enumerated() {
                writer.raw(index == 0 ? "{\"field\":" : ",{\"field\":")
                writer.string(error.field)
                writer.raw(",\"message\":")
                writer.string(error.message)
                if let reason = error.reason {
                    writer.raw(",\"reason\":")
                    writer.string(reason)
                }
                writer.raw("}")
            }
            writer.raw("]")
        }
        if let jobID = self.jobID {
            writer.raw(",\"job_id\":")
            writer.string(jobID)
        }
        if let location = self.location {
            writer.raw(",\"location\":")
            writer.string(location)
        }
        writer.raw(",\"status\":")
        writer.integer(self.status)
        writer.raw(",\"title\":")
        writer.string(self.title)
        writer.raw(",\"type\":")
        writer.string(self.type)
        writer.raw("}")
        return writer.bytes
    }
}
