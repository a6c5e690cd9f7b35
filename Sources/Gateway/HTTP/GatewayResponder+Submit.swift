import Foundation
import Hummingbird
import InferenceJobs
import ResultStore

/// `POST /v1/jobs`: check, claim the idempotency key, produce and await the broker's acknowledgement, record the
/// job as pending (unless the pending-job recorder does), answer `202`.
extension GatewayResponder {
    /// Reads a route's body into the submission: the body, the `Idempotency-Key` header, a new job ID for a body
    /// without one, and the time of the request.
    typealias SubmissionReader = (
        _ body: [UInt8], _ idempotencyKeyHeader: String?, _ candidateJobID: String, _ now: Date
    ) throws(Problem) -> Submission

    func submit(_ request: Request) async throws(Problem) -> Response {
        Self.accepted(try await self.accept(request).acceptance)
    }

    /// What `POST /v1/jobs` does, up to its answer: the job accepted (or the key's first answer replayed), and the
    /// job itself as submitted. `POST /v1/predict` runs exactly this, with the same checks and idempotency.
    ///
    /// - Parameters:
    ///   - read: Turns the body into the submission; `nil` reads a job as `POST /v1/jobs` does. Everything after it
    ///     (back-pressure, the idempotency claim, the produce, the pending row) is the same for every route.
    ///   - beforeProduce: Called with the job's final ID before it is produced (or, for a replay, before the first
    ///     answer is returned), so that a waiter for its result can be registered in time.
    func accept(
        _ request: Request,
        reading read: SubmissionReader? = nil,
        beforeProduce: (String) throws(Problem) -> Void = { _ in }
    ) async throws(Problem) -> (acceptance: Acceptance, job: InferenceJob) {
        let options = self.configuration.options
        let contentType = request.headers[.contentType]
        guard MediaTypeCheck.isJSON(contentType) else { throw Problem.unsupportedMediaType(contentType) }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > options.maxBodyBytes {
            throw Problem.tooLarge(limit: options.maxBodyBytes)
        }
        let body = try await Self.collect(request.body, limit: options.maxBodyBytes)
        let now = Date()
        let keyHeader = request.headers[Self.idempotencyKeyField]
        let candidateJobID = JobID.make(now: now)
        var submission: Submission
        if let read {
            submission = try read(body, keyHeader, candidateJobID, now)
        } else {
            submission = try Submission(
                body: body,
                idempotencyKeyHeader: keyHeader,
                candidateJobID: candidateJobID,
                now: now,
                maxDepth: options.maxJSONDepth,
                rules: self.configuration.models,
                callbackGuard: options.callbackGuard
            )
        }

        // Decided before anything is claimed or produced; a replay of an accepted key is answered whatever it says,
        // since it enqueues nothing.
        let admission = self.admission()
        if submission.key == nil, case .reject(let retryAfter, let reason) = admission {
            self.metrics.backPressureRejections.increment()
            throw Problem.backlog(reason, retryAfter: retryAfter)
        }
        var estimate: Double? = nil
        if case .admit(let seconds) = admission { estimate = seconds }
        if let key = submission.key {
            let claim: IdempotencyClaim
            do {
                claim = try await self.store.claim(
                    key: key.storedKey,
                    fingerprint: submission.fingerprint,
                    candidateJobID: submission.job.jobID,
                    policy: IdempotencyPolicy(staleAfter: options.produceTimeout, retention: options.idempotencyRetention),
                    now: now
                )
            } catch {
                throw self.storeUnavailable(error, during: "claim of an idempotency key")
            }
            switch claim {
            case .produce(let jobID):
                submission.job.jobID = jobID
                if case .reject(let retryAfter, let reason) = admission {
                    try? await self.store.abandon(key: key.storedKey)
                    self.metrics.backPressureRejections.increment()
                    throw Problem.backlog(reason, retryAfter: retryAfter)
                }
            case .replay(let jobID):
                self.metrics.replays.increment()
                submission.job.jobID = jobID
                try beforeProduce(jobID)
                return (Acceptance(jobID: jobID, estimatedWaitSeconds: nil), submission.job)
            case .differentBody(let jobID):
                throw Problem.keyReused(jobID: jobID)
            case .inProgress(let jobID):
                throw Problem.keyInProgress(jobID: jobID)
            }
        }

        do throws(Problem) {
            try beforeProduce(submission.job.jobID)
        } catch {
            if let key = submission.key { try? await self.store.abandon(key: key.storedKey) }
            throw error
        }
        do {
            _ = try await self.producer.submit(submission.job)
        } catch {
            self.logger.warning(
                "the broker did not acknowledge a job",
                metadata: ["job_id": "\(submission.job.jobID)", "error": "\(error)"]
            )
            if let key = submission.key { try? await self.store.abandon(key: key.storedKey) }
            throw Problem.unavailable(
                "the broker did not acknowledge the job within \(options.produceTimeout); retry (with the same Idempotency-Key)",
                retryAfter: options.retryAfterSeconds
            )
        }
        self.metrics.jobsAccepted.increment()
        // The recorder, when there is one, writes the pending row: ``lookUp(_:)`` waits for it. A key's record is
        // still marked accepted here, so that a retry replays the answer.
        guard submission.key != nil || options.pendingRecorderGroup == nil else {
            return (Acceptance(jobID: submission.job.jobID, estimatedWaitSeconds: estimate), submission.job)
        }
        do {
            try await self.store.recordAccepted(jobID: submission.job.jobID, key: submission.key?.storedKey, at: Date())
        } catch {
            // The job is on the topic: the 202 holds. Until its result lands, GET answers 404, and a retry with the
            // key takes the stale record over and produces the same job ID again, which the sink absorbs.
            self.logger.error(
                "accepted a job but could not record it as pending",
                metadata: ["job_id": "\(submission.job.jobID)", "error": "\(error)"]
            )
        }
        return (Acceptance(jobID: submission.job.jobID, estimatedWaitSeconds: estimate), submission.job)
    }

    private static func accepted(_ acceptance: Acceptance) -> Response {
        .json(.accepted, acceptance.json, headers: [.location: acceptance.location])
    }

    /// The body's bytes, refusing (`413`) as soon as they pass `limit`, so that a client cannot make the gateway
    /// hold more than `limit` bytes whatever `Content-Length` said.
    private static func collect(_ body: RequestBody, limit: Int) async throws(Problem) -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            for try await buffer in body {
                guard bytes.count + buffer.readableBytes <= limit else { throw Problem.tooLarge(limit: limit) }
                bytes.append(contentsOf: buffer.readableBytesView)
            }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem.malformedJSON("the body could not be read: \(error)")
        }
        return bytes
    }
}
