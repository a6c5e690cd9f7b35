import Foundation
import Hummingbird
import InferenceJobs
import NIOCore
import ResultStore

/// `POST /v1/predict`: the synchronous call over the same queue. The job is submitted exactly as `POST /v1/jobs`
/// submits it (``accept(_:beforeProduce:)``), then the call waits for its result.
extension GatewayResponder {
    func predict(_ request: Request, channel: any Channel) async throws(Problem) -> Response {
        let options = self.configuration.options
        let waiters = self.waiters
        // Registered before the job is produced, so that a result faster than the produce's acknowledgement is
        // kept in the ticket rather than missed.
        var ticket: ResultWaiters.Ticket?
        defer { ticket.map(waiters.forget) }
        guard waiters.isFollowing else { throw self.notFollowing() }
        let started = ContinuousClock.now
        let (acceptance, job) = try await self.accept(request, beforeProduce: { jobID throws(Problem) in
            guard let registered = waiters.register(jobID, kind: .predict, limit: options.maxWaitingPredicts) else {
                if waiters.isClosed(.predict) {
                    throw Problem.unavailable("this gateway instance is shutting down; retry on another", retryAfter: options.retryAfterSeconds)
                }
                self.metrics.limitReached(route: "/v1/predict")
                throw Problem.unavailable(
                    "\(options.maxWaitingPredicts) predict calls are already waiting on this instance; retry, or submit with POST /v1/jobs",
                    retryAfter: options.retryAfterSeconds
                )
            }
            ticket = registered
        })
        guard let registered = ticket else {
            throw Problem.unavailable("the job was accepted but no waiter was registered", retryAfter: options.retryAfterSeconds)
        }
        // A client that goes away is forgotten at once: the wait below then ends.
        channel.closeFuture.whenComplete { _ in waiters.forget(registered) }
        self.metrics.waitingPredicts.increment()
        defer { self.metrics.waitingPredicts.decrement() }

        let wait = SyncWait.budget(configured: options.syncTimeout, requestedMilliseconds: job.timeoutMs)
        // The result may have landed before the ticket was registered (a replayed key, a very fast worker); the
        // store has it then, and the follower will not see it again.
        if let body = try await self.finishedBody(of: acceptance.jobID) {
            return .json(.ok, body)
        }
        if let delivery = await waiters.next(registered, until: started + wait) {
            self.metrics.pushLatency(since: delivery.producedAt)
            return .json(.ok, JobCodec.encode(delivery.result))
        }
        if waiters.isClosed(.predict) {
            // Shutdown's grace period ran out: the job goes on, and any instance answers for it.
            throw Problem.syncTimeout(
                jobID: acceptance.jobID, location: acceptance.location, waited: ContinuousClock.now - started,
                retryAfter: options.syncRetryAfterSeconds, shuttingDown: true
            )
        }
        if Task.isCancelled || !waiters.isRegistered(registered) {
            throw Problem.unavailable("the request was cancelled or its client went away", retryAfter: options.retryAfterSeconds)
        }
        self.metrics.syncTimeouts.increment()
        throw Problem.syncTimeout(
            jobID: acceptance.jobID, location: acceptance.location, waited: wait, retryAfter: options.syncRetryAfterSeconds
        )
    }

    /// The body `GET /v1/jobs/{id}` gives for a finished job, or `nil` while it is pending or unknown.
    func finishedBody(of jobID: String) async throws(Problem) -> [UInt8]? {
        let record: JobRecord?
        do {
            record = try await self.store.jobRecord(for: jobID)
        } catch {
            throw self.storeUnavailable(error, during: "look-up of job \(jobID)")
        }
        guard let record, case .finished = record else { return nil }
        return JobStatusBody.json(jobID: jobID, record: record)
    }
}
