import CallbackSafety
import Foundation
import KinferTestSupport
import InferenceJobs
import Notifier
import Testing

@Suite struct CallbackAttemptTests {
    let result = JobResult(
        jobID: "job-7", status: .completed, attempts: 1, model: "digits", modelVersion: "1", worker: "w",
        submittedAt: Date(timeIntervalSince1970: 1_764_688_000), completedAt: Date(timeIntervalSince1970: 1_764_688_001)
    )
    let body = Array(#"{"job_id":"job-7","status":"completed"}"#.utf8)

    func attempt(_ guardrail: CallbackGuard, resolver: StubResolver = StubResolver()) throws -> CallbackAttempt<StubResolver> {
        CallbackAttempt(
            guardrail: guardrail, resolver: resolver,
            signer: WebhookSigner(secrets: try WebhookSecrets(environmentValue: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")),
            client: CallbackClient(configuration: .init(version: "test", timeout: .seconds(5)))
        )
    }

    @Test func anAdmittedURLIsDeliveredWithTheResultsMessageID() async throws {
        try await LocalReceiver.withReceiver({ _, _ in .init(status: .ok) }) { receiver in
            let admitted = CallbackGuard(allowHTTP: true, allowedPorts: [receiver.port], allowedRanges: [try CIDR("127.0.0.0/8")])
            let run = try await self.attempt(admitted).run(callbackURL: "http://127.0.0.1:\(receiver.port)/cb", result: self.result, body: self.body)
            #expect(run.outcome == .delivered(status: 200))
            #expect(receiver.requests.map { $0.header("webhook-id") } == [WebhookSigner.messageID(for: self.result)])
        }
    }

    /// The receiver runs, but outside every allowed range: the attempt gives up without a connection.
    @Test func aRefusedURLIsGivenUpAndNeverConnected() async throws {
        try await LocalReceiver.withReceiver({ _, _ in .init(status: .ok) }) { receiver in
            let refusing = CallbackGuard(allowHTTP: true, allowedPorts: [receiver.port], allowedRanges: [try CIDR("127.0.0.2/32")])
            let run = try await self.attempt(refusing).run(callbackURL: "http://127.0.0.1:\(receiver.port)/cb", result: self.result, body: self.body)
            guard case .giveUp(let failure) = run.outcome else { Issue.record("\(run.outcome)"); return }
            #expect(failure.code == .refused)
            #expect(failure.message.contains("loopback"))
            #expect(receiver.requests.isEmpty)
        }
    }

    @Test func aFailedLookupIsRetried() async throws {
        let run = try await self.attempt(CallbackGuard(), resolver: StubResolver(failing: ["hooks.example"]))
            .run(callbackURL: "https://hooks.example/", result: self.result, body: self.body)
        guard case .retry(let failure, nil) = run.outcome else { Issue.record("\(run.outcome)"); return }
        #expect(failure.code == .refused)
    }
}
