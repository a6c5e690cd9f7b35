import CallbackSafety
import Foundation
import InferenceJobs

/// One delivery attempt from end to end: the guard's check (resolving once), the signature, the `POST` to the
/// checked address, and the outcome. The unit the notifier service runs per result and attempt.
public struct CallbackAttempt<Resolver: CallbackResolver>: Sendable {
    public let guardrail: CallbackGuard
    public let resolver: Resolver
    public let signer: WebhookSigner
    public let client: CallbackClient

    public init(guardrail: CallbackGuard, resolver: Resolver, signer: WebhookSigner, client: CallbackClient) {
        self.guardrail = guardrail
        self.resolver = resolver
        self.signer = signer
        self.client = client
    }

    /// Delivers `body` (`result` as stored) to `callbackURL`. A URL the guard refuses is never connected to: a final
    /// refusal gives up at once, a failed lookup is retried on the schedule.
    public func run(callbackURL: String, result: JobResult, body: [UInt8], now: Date = Date()) async -> CallbackClient.Attempt {
        switch await self.guardrail.check(callbackURL, resolver: self.resolver) {
        case .failure(let refusal):
            let failure = DeliveryFailure(.refused, refusal.description)
            return CallbackClient.Attempt(outcome: .classify(failure, final: refusal.isFinal), responseExcerpt: [])
        case .success(let destination):
            let headers = self.signer.headers(for: result, body: body, now: now)
            return await self.client.post(body, headers: headers, to: destination)
        }
    }
}
