import CallbackSafety
import Foundation
import InferenceJobs

/// A `POST /v1/jobs` request read and checked: the job to enqueue, how it is deduplicated, and whether the client
/// chose its ID. Made by ``init(body:idempotencyKeyHeader:candidateJobID:now:options:rules:)`` without any I/O.
struct Submission: Sendable {
    /// The canonical job; its `jobID` is the client's, or the candidate until the store assigns one.
    var job: InferenceJob
    /// The key to claim in the store, or `nil` when the client gave neither header nor `job_id`.
    var key: IdempotencyKey?
    /// The body as sent.
    private let body: [UInt8]

    /// SHA-256 of the body as sent, lowercase hex: a retry with the key must send the same bytes. Computed when a
    /// key is claimed, not for every submission.
    var fingerprint: String { SHA256Hex.digest(self.body) }

    /// Reads `body` with the contract's decoder (`JobCodec.decodeJob`) and checks it against `rules`, and its
    /// `callback_url` against `callbackGuard`.
    ///
    /// - Parameters:
    ///   - candidateJobID: The ID for a job whose body has no `job_id` (the store may hand back another: a retry's).
    /// - Throws: ``Problem``: `400` for a body that is not a JSON object or nests too deeply, or a bad
    ///   `Idempotency-Key`; `422` for a job the decoder or the model rules refuse, or whose `callback_url` the
    ///   notifier would refuse. Each names the field.
    init(
        body: [UInt8],
        idempotencyKeyHeader: String?,
        candidateJobID: String,
        now: Date,
        maxDepth: Int,
        rules: ModelRules,
        callbackGuard: CallbackGuard = CallbackGuard()
    ) throws(Problem) {
        var headerKey: IdempotencyKey?
        if let idempotencyKeyHeader { headerKey = try IdempotencyKey.header(idempotencyKeyHeader) }
        let shape = JSONShape(scanning: body, maxDepth: maxDepth)
        guard shape.depth <= maxDepth else {
            throw Problem.malformedJSON("the body nests deeper than \(maxDepth) levels")
        }
        let clientChoseID = shape.topLevelKeys.contains("job_id")
        var job: InferenceJob
        var ignored: [JobDecodingError]
        do {
            (job, ignored) = try Self.decodeReportingIgnored(body, now: now, fallbackJobID: clientChoseID ? nil : candidateJobID)
        } catch let error where error.code == .missingJobID {
            // `"job_id": null`: the decoder reads it as absent, but the client meant to choose one.
            throw Problem.invalidJob([
                Problem.FieldError(
                    field: "job_id", message: "'job_id' must be a non-empty string; omit it to have the gateway make one",
                    reason: error.reason
                )
            ])
        } catch {
            throw Self.problem(error)
        }
        guard ignored.isEmpty else {
            throw Problem.invalidJob(ignored.map { Problem.FieldError(field: $0.field ?? "body", message: $0.message, reason: $0.reason) })
        }
        let featuresField = shape.topLevelKeys.contains("inputs") ? "inputs.features" : "features"
        let refusals = rules.problems(model: job.model, featureCount: job.inputs.features.count, featuresField: featuresField)
        guard refusals.isEmpty else { throw Problem.invalidJob(refusals) }
        if let callbackURL = job.callbackURL, case .refused(let refusal) = callbackGuard.check(callbackURL) {
            // The guard's first step only (scheme, port, form, an IP literal's range): a name is resolved, and its
            // addresses judged, by the notifier when it delivers, since what a name resolves to may change by then.
            throw Problem.invalidJob([
                Problem.FieldError(
                    field: "callback_url", message: "the notifier would refuse 'callback_url': \(refusal.description)",
                    reason: "callback_refused"
                )
            ])
        }
        // The worker reads `submitted_at` for `timeout_ms`; the gateway's clock is the one that accepted the job.
        if !shape.topLevelKeys.contains("submitted_at") { job.submittedAt = now }

        self.job = job
        self.key = headerKey ?? (clientChoseID ? IdempotencyKey.jobID(job.jobID) : nil)
        self.body = body
    }

    /// A submission another route read (a chat completion), deduplicated by `idempotencyKeyHeader` only.
    ///
    /// - Parameter body: The body as sent, whose SHA-256 is the fingerprint.
    init(job: InferenceJob, body: [UInt8], idempotencyKeyHeader: String?) throws(Problem) {
        self.job = job
        self.key = try idempotencyKeyHeader.map { header throws(Problem) in try IdempotencyKey.header(header) }
        self.body = body
    }

    /// The decoder, and the optional fields it could not read. A worker runs a job without them (and counts them),
    /// but a caller at the gateway can still fix its request, so ``init`` refuses each of them by name.
    private static func decodeReportingIgnored(
        _ body: [UInt8], now: Date, fallbackJobID: String?
    ) throws(JobDecodingError) -> (InferenceJob, [JobDecodingError]) {
        var ignored: [JobDecodingError] = []
        let job = try JobCodec.decodeJob(body, fallbackSubmittedAt: now, ignoredFields: &ignored, fallbackJobID: fallbackJobID)
        return (job, ignored)
    }

    /// The problem for a decoder refusal: `400` when the body is not a JSON object at all, else `422` naming the
    /// field.
    static func problem(_ error: JobDecodingError) -> Problem {
        switch error.code {
        case .emptyMessage:
            return Problem.malformedJSON("the body is empty")
        case .notJSON, .notAnObject, .oversized:
            return Problem.malformedJSON(error.message)
        default:
            let field = error.field ?? (error.code == .missingFeatures ? "inputs.features" : "body")
            return Problem.invalidJob([Problem.FieldError(field: field, message: error.message, reason: error.reason)])
        }
    }
}
