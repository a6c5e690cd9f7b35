import CallbackSafety
import Foundation
import KinferTestSupport
import NIOHTTP1
import Notifier
import Testing

/// Deliveries to a receiver this test starts on 127.0.0.1, admitted by allow-cidr 127.0.0.0/8: the only
/// connections any notifier test makes.
@Suite struct CallbackClientTests {
    static let guardrail = CallbackGuard(allowHTTP: true, allowedPorts: Set(1...65535), allowedRanges: [try! CIDR("127.0.0.0/8")])
    static let secrets = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_" + Data(repeating: 7, count: 32).base64EncodedString()
    let client = CallbackClient(configuration: .init(version: "9.9.9-test", timeout: .seconds(5)))
    let body = Array(#"{"job_id":"j-1","status":"completed","attempts":1}"#.utf8)

    func destination(_ url: String, resolver: StubResolver = StubResolver()) async throws -> CallbackDestination {
        try await Self.guardrail.check(url, resolver: resolver).get()
    }

    func headers() throws -> WebhookHeaders {
        try WebhookSigner(secrets: WebhookSecrets(environmentValue: Self.secrets))
            .headers(id: "kinfer_0123456789abcdef0123456789abcdef", timestamp: Int64(Date().timeIntervalSince1970), body: self.body)
    }

    @Test func aDeliveryIsSignedAndBothSignaturesVerify() async throws {
        try await LocalReceiver.withReceiver({ _, _ in .init(status: .noContent) }) { receiver in
            // A name the stub resolves to the receiver: the client connects to the checked address and names the host.
            let destination = try await self.destination(
                "http://LOCALHOST:\(receiver.port)/hooks/kinfer?source=test", resolver: StubResolver(["localhost": ["127.0.0.1"]])
            )
            let attempt = await self.client.post(self.body, headers: try self.headers(), to: destination)
            #expect(attempt.outcome == .delivered(status: 204))
            let requests = receiver.requests
            try #require(requests.count == 1)
            let request = requests[0]
            #expect(request.head.method == .POST)
            #expect(request.head.uri == "/hooks/kinfer?source=test")
            #expect(request.header("host") == "localhost:\(receiver.port)")
            #expect(request.header("content-type") == "application/json")
            #expect(request.header("user-agent") == "kinfer/9.9.9-test")
            #expect(request.body == self.body)
            #expect(request.header("webhook-signature")?.split(separator: " ").count == 2)

            // The receiver's side: the README's Python verifier accepts the request as received, under either secret.
            let received = Dictionary(uniqueKeysWithValues: ["webhook-id", "webhook-timestamp", "webhook-signature"].map {
                ($0, request.header($0) ?? "")
            })
            let cases = Self.secrets.split(separator: " ").map { ["secret": String($0), "headers": received, "body": String(decoding: request.body, as: UTF8.self)] as [String: Any] }
            let verdicts = try await ReceiverExampleTests.verify(cases)
            #expect(verdicts == ["accept", "accept"])
        }
    }

    @Test func aServerErrorIsRetriedAndGoneStops() async throws {
        try await LocalReceiver.withReceiver({ _, request in
            .init(status: request.head.uri == "/gone" ? .gone : .internalServerError)
        }) { receiver in
            let failed = await self.client.post(self.body, headers: try self.headers(), to: try await self.destination("http://127.0.0.1:\(receiver.port)/flaky"))
            guard case .retry(let failure, nil) = failed.outcome else { Issue.record("\(failed.outcome)"); return }
            #expect(failure.status == 500)
            #expect(failed.responseExcerpt == Array("ok".utf8))

            let gone = await self.client.post(self.body, headers: try self.headers(), to: try await self.destination("http://127.0.0.1:\(receiver.port)/gone"))
            guard case .giveUp(let reason) = gone.outcome else { Issue.record("\(gone.outcome)"); return }
            #expect(reason.code == .gone)
            #expect(receiver.requests.count == 2)
        }
    }

    /// The redirect points back at the same receiver, so that a client following it would show up as a second
    /// request here (and no test ever sends anything elsewhere).
    @Test func aRedirectIsNotFollowed() async throws {
        try await LocalReceiver.withReceiver({ _, request in
            .init(status: .found, headers: [("location", "/followed")])
        }) { receiver in
            let attempt = await self.client.post(self.body, headers: try self.headers(), to: try await self.destination("http://127.0.0.1:\(receiver.port)/"))
            guard case .retry(let failure, nil) = attempt.outcome else { Issue.record("\(attempt.outcome)"); return }
            #expect(failure.code == .redirect)
            #expect(receiver.requests.map(\.head.uri) == ["/"])
        }
    }

    @Test func atMostAFewKiBOfAnAnswerAreRead() async throws {
        try await LocalReceiver.withReceiver({ _, _ in .init(status: .badRequest, body: Array(repeating: UInt8(ascii: "x"), count: 1 << 20)) }) { receiver in
            let attempt = await self.client.post(self.body, headers: try self.headers(), to: try await self.destination("http://127.0.0.1:\(receiver.port)/"))
            guard case .retry(let failure, nil) = attempt.outcome else { Issue.record("\(attempt.outcome)"); return }
            #expect(failure.status == 400)
            #expect(attempt.responseExcerpt.count == 4096)
        }
    }

    @Test func retryAfterIsRead() async throws {
        try await LocalReceiver.withReceiver({ _, _ in .init(status: .tooManyRequests, headers: [("retry-after", "7")]) }) { receiver in
            let attempt = await self.client.post(self.body, headers: try self.headers(), to: try await self.destination("http://127.0.0.1:\(receiver.port)/"))
            guard case .retry(_, let wait) = attempt.outcome else { Issue.record("\(attempt.outcome)"); return }
            #expect(wait == .seconds(7))
        }
    }

    @Test func aReceiverThatNeverAnswersTimesOut() async throws {
        let quick = CallbackClient(configuration: .init(version: "test", connectTimeout: .seconds(1), timeout: .milliseconds(300)))
        try await LocalReceiver.withReceiver({ _, _ in nil }) { receiver in
            let started = ContinuousClock.now
            let attempt = await quick.post(self.body, headers: try self.headers(), to: try await self.destination("http://127.0.0.1:\(receiver.port)/"))
            guard case .retry(let failure, nil) = attempt.outcome else { Issue.record("\(attempt.outcome)"); return }
            #expect(failure.code == .timeout)
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    /// Without allow-cidr the guard refuses the receiver's address, before anything is sent: the receiver sees nothing.
    @Test func aRefusedURLReachesNothing() async throws {
        try await LocalReceiver.withReceiver({ _, _ in .init(status: .ok) }) { receiver in
            let refused = await CallbackGuard(allowHTTP: true, allowedPorts: [receiver.port]).check("http://127.0.0.1:\(receiver.port)/", resolver: StubResolver())
            guard case .failure(let refusal) = refused else { Issue.record("admitted"); return }
            #expect(refusal.code == .forbiddenAddress)
            #expect(receiver.requests.isEmpty)
        }
    }
}
