import CallbackSafety
import Foundation
import InferenceJobs

/// One delivery attempt from end to end: the guard's check (resolving once), a permit for the destination host, the
/// signature, the `POST` to the checked address, and the outcome. The unit the notifier service runs per result and
/// attempt.
public struct CallbackAttempt<Resolver: CallbackResolver>: Sendable {
    public let guardrail: CallbackGuard
    public let resolver: Resolver
    public let signer: WebhookSigner
    public let client: CallbackClient
    /// Bounds concurrent posts in all and per host; `nil` for none.
    public let permits: DeliveryPermits?

    public init(
        guardrail: CallbackGuard, resolver: Resolver, signer: WebhookSigner, client: CallbackClient,
        permits: DeliveryPermits? = nil
    ) {
        self.guardrail = guardrail
        self.resolver = resolver
        self.signer = signer
        self.client = client
        self.permits = permits
    }

    /// Delivers `body` (`result` as stored) to `callbackURL`. A URL the guard refuses is never connected to: a final
    /// refusal gives up at once, a failed lookup is retried on the schedule. The signature's timestamp is taken once
    /// the permit is held, so that a wait for one does not age it.
    /// - Throws: `CancellationError` when cancelled while waiting for a permit; nothing was sent.
    public func run(callbackURL: String, result: JobResult, body: [UInt8]) async throws -> CallbackClient.Attempt {
        switch await self.guardrail.check(callbackURL, resolver: self.resolver) {
        case .failure(let refusal):
            let failure = DeliveryFailure(.refused, refusal.description)
            return CallbackClient.Attempt(outcome: .classify(failure, final: refusal.isFinal), responseExcerpt: [])
        case .success(let destination):
            let post = {
                let headers = self.signer.headers(for: result, body: body, now: Date())
                return await self.client.post(body, headers: headers, to: destination)
            }
            guard let permits = self.permits else { return await post() }
            return try await permits.withPermit(host: destination.host) { await post() }
        }
    }
}
