/// Every kind of problem the gateway answers with; the OpenAPI document lists the same types.
extension Problem {
    public static func malformedJSON(_ detail: String, field: String? = nil) -> Problem {
        Problem(
            status: 400, type: "/problems/malformed-json", title: "The body is not a JSON object",
            detail: detail, errors: field.map { [FieldError(field: $0, message: detail, reason: "not_json")] } ?? []
        )
    }

    public static func invalidHeader(_ header: String, _ detail: String) -> Problem {
        Problem(
            status: 400, type: "/problems/invalid-header", title: "A request header is invalid",
            detail: detail, errors: [FieldError(field: header, message: detail)]
        )
    }

    public static func invalidJob(_ errors: [FieldError]) -> Problem {
        Problem(
            status: 422, type: "/problems/invalid-job", title: "The job is not valid",
            detail: errors.map(\.message).joined(separator: "; "), errors: errors
        )
    }

    public static func unauthorized(_ detail: String) -> Problem {
        Problem(status: 401, type: "/problems/unauthorized", title: "A valid API key is required", detail: detail)
    }

    public static func notFound(path: String) -> Problem {
        Problem(status: 404, type: "/problems/not-found", title: "No such route", detail: "nothing is served at \(path)")
    }

    public static func unknownJob(_ jobID: String) -> Problem {
        Problem(
            status: 404, type: "/problems/unknown-job", title: "No such job",
            detail: "job \(jobID) was never accepted, or its record is past retention", jobID: jobID
        )
    }

    /// `503`: the store has no record of the job, and the pending-job recorder did not reach the end of the jobs
    /// topic in time, so the job may have been accepted and not yet recorded.
    public static func recorderBehind(jobID: String, group: String, waited: Duration, retryAfter: Int) -> Problem {
        Problem(
            status: 503, type: "/problems/unavailable", title: "Try again later",
            detail: "no record of job \(jobID) yet, and the pending-job recorder (group \(group)) has not recorded every accepted job within \(waited): the job may have been accepted a moment ago; retry (if no sink runs with --pending-jobs, start the gateway with --record-accepted)",
            retryAfter: retryAfter, jobID: jobID
        )
    }

    public static func methodNotAllowed(_ method: String, allow: [String]) -> Problem {
        Problem(
            status: 405, type: "/problems/method-not-allowed", title: "Method not allowed",
            detail: "\(method) is not served here; use \(allow.joined(separator: ", "))", allow: allow
        )
    }

    public static func keyInProgress(jobID: String) -> Problem {
        Problem(
            status: 409, type: "/problems/idempotency-key-in-progress", title: "A request with this key is in progress",
            detail: "the first request with this idempotency key is still being produced; retry shortly",
            errors: [FieldError(field: "Idempotency-Key", message: "in use by a request in progress")],
            retryAfter: 1, jobID: jobID
        )
    }

    public static func keyReused(jobID: String) -> Problem {
        Problem(
            status: 422, type: "/problems/idempotency-key-reused", title: "The idempotency key was used with another body",
            detail: "this idempotency key (or job_id) was first used with a different request body",
            errors: [FieldError(field: "Idempotency-Key", message: "already used with a different body")], jobID: jobID
        )
    }

    public static func tooLarge(limit: Int) -> Problem {
        Problem(
            status: 413, type: "/problems/body-too-large", title: "The body is too large",
            detail: "the body is larger than the limit of \(limit) bytes"
        )
    }

    public static func unsupportedMediaType(_ contentType: String?) -> Problem {
        Problem(
            status: 415, type: "/problems/unsupported-media-type", title: "The body must be JSON",
            detail: "Content-Type is \(contentType.map { "'\($0)'" } ?? "missing"); send application/json",
            errors: [FieldError(field: "Content-Type", message: "must be application/json")]
        )
    }

    public static func unavailable(_ detail: String, retryAfter: Int) -> Problem {
        Problem(
            status: 503, type: "/problems/unavailable", title: "Try again later", detail: detail, retryAfter: retryAfter
        )
    }

    /// `429`: the workers are too far behind; nothing was enqueued.
    public static func backlog(_ detail: String, retryAfter: Int) -> Problem {
        Problem(
            status: 429, type: "/problems/backlog", title: "Too many jobs are waiting",
            detail: "\(detail); nothing was enqueued, retry later", retryAfter: retryAfter
        )
    }

    /// `504` of `/v1/predict`: the job is accepted and goes on; its result is read later at `location`.
    /// - Parameter shuttingDown: The wait ended because this instance is shutting down and its grace period ran out,
    ///   not at the call's own deadline.
    public static func syncTimeout(jobID: String, location: String, waited: Duration, retryAfter: Int, shuttingDown: Bool = false) -> Problem {
        let cause = shuttingDown ? "this gateway instance shut down after waiting \(waited)" : "its result did not arrive within \(waited)"
        var problem = Problem(
            status: 504, type: "/problems/sync-timeout", title: "The result did not arrive in time",
            detail: "job \(jobID) was accepted but \(cause); it goes on: read it with GET \(location)",
            retryAfter: retryAfter, jobID: jobID
        )
        problem.location = location
        return problem
    }

    /// `502` of `/v1/chat/completions`: the job ended without text (it failed or expired, or its model classifies).
    public static func jobFailed(jobID: String, detail: String) -> Problem {
        Problem(
            status: 502, type: "/problems/job-failed", title: "The job did not complete with text",
            detail: "job \(jobID): \(detail)", jobID: jobID
        )
    }
}
