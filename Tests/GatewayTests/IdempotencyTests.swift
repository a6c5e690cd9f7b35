import Foundation
@testable import Gateway
import KinferTestSupport
import ResultStore
import ResultsSink
import Testing

@Suite("Idempotency")
struct IdempotencyTests {
    static let features = Array(repeating: "1", count: 64).joined(separator: ",")
    static let body = #"{"inputs": {"features": [\#(features)]}}"#

    @Test("The same Idempotency-Key twice with the same body: the first answer again, one job on the topic; another body: 422")
    func sameKeySameBodyIsOneJob() async throws {
        try await withGateway(partitions: 1) { gateway in
            let key = [("Idempotency-Key", "order-42")]
            let first = try await gateway.submit(Self.body, extraHeaders: key)
            let second = try await gateway.submit(Self.body, extraHeaders: key)
            #expect(first.status == 202)
            #expect(second.status == 202)
            let jobID = try #require(first.object?["job_id"] as? String)
            #expect(second.object?["job_id"] as? String == jobID)
            #expect(second.headers.first(name: "Location") == "/v1/jobs/\(jobID)")

            let different = try await gateway.submit(#"{"inputs": {"features": [\#(Array(repeating: "2", count: 64).joined(separator: ","))]}}"#, extraHeaders: key)
            #expect(different.status == 422)
            #expect(different.object?["type"] as? String == "/problems/idempotency-key-reused")
            #expect(different.problemFields == ["Idempotency-Key"])

            let sentinel = try #require(try await gateway.submit(Self.body).object?["job_id"] as? String)
            let messages = try await gateway.jobMessages(through: sentinel)
            #expect(messages.filter { $0.keyString == jobID }.count == 1)
            #expect(messages.count == 2)
        }
    }

    @Test("A client job_id is a key: sent twice, one job; the same job_id with another body: 422")
    func clientJobIDIsAKey() async throws {
        try await withGateway(partitions: 1) { gateway in
            let body = #"{"job_id": "client-7", "features": [\#(Self.features)]}"#
            #expect(try await gateway.submit(body).status == 202)
            let again = try await gateway.submit(body)
            #expect(again.status == 202)
            #expect(again.object?["job_id"] as? String == "client-7")
            #expect(try await gateway.submit(#"{"job_id": "client-7", "features": [\#(Array(repeating: "3", count: 64).joined(separator: ","))]}"#).status == 422)
            let sentinel = try #require(try await gateway.submit(Self.body).object?["job_id"] as? String)
            let messages = try await gateway.jobMessages(through: sentinel)
            #expect(messages.filter { $0.keyString == "client-7" }.count == 1)
        }
    }

    @Test("A retry while the first is in progress: 409; once that claim is stale (a crashed gateway), a retry takes it over with the same job ID")
    func inProgressThenTakenOver() async throws {
        try await withGateway(partitions: 1, configure: { $0.produceTimeout = .seconds(2) }) { gateway in
            // Another gateway claimed the key and crashed before producing: its record stays in progress.
            let fingerprint = SHA256Hex.digest(Array(Self.body.utf8))
            let claim = try await gateway.store.claim(
                key: "key:crashed", fingerprint: fingerprint, candidateJobID: "job-of-the-crashed-gateway",
                policy: IdempotencyPolicy(staleAfter: .seconds(2)), now: Date()
            )
            #expect(claim == .produce(jobID: "job-of-the-crashed-gateway"))

            let busy = try await gateway.submit(Self.body, extraHeaders: [("Idempotency-Key", "crashed")])
            #expect(busy.status == 409)
            #expect(busy.object?["type"] as? String == "/problems/idempotency-key-in-progress")
            #expect(busy.object?["job_id"] as? String == "job-of-the-crashed-gateway")

            var taken: HTTPReply?
            try await waitUntil("the stale claim is taken over", timeout: .seconds(10), interval: .milliseconds(250)) {
                let reply = try await gateway.submit(Self.body, extraHeaders: [("Idempotency-Key", "crashed")])
                if reply.status == 202 { taken = reply }
                return reply.status == 202
            }
            #expect(taken?.object?["job_id"] as? String == "job-of-the-crashed-gateway")
            let messages = try await gateway.jobMessages(through: "job-of-the-crashed-gateway")
            #expect(messages.filter { $0.keyString == "job-of-the-crashed-gateway" }.count == 1)
        }
    }

    @Test("Twenty concurrent requests with one key, on SQLite and PostgreSQL: each 202 or 409, every 202 the same job ID, one job on the topic", arguments: [false, true])
    func concurrentRetriesMakeOneJob(postgres: Bool) async throws {
        try await withGateway(partitions: 1, postgres: postgres) { gateway in
            let replies = try await withThrowingTaskGroup(of: HTTPReply.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await gateway.submit(Self.body, extraHeaders: [("Idempotency-Key", "race")]) }
                }
                return try await group.reduce(into: [HTTPReply]()) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 202 || $0.status == 409 }, "\(replies.map(\.status))")
            let jobIDs = Set(replies.filter { $0.status == 202 }.compactMap { $0.object?["job_id"] as? String })
            #expect(jobIDs.count == 1)
            let jobID = try #require(jobIDs.first)
            // Retried after the race: the first answer again.
            #expect(try await gateway.submit(Self.body, extraHeaders: [("Idempotency-Key", "race")]).object?["job_id"] as? String == jobID)
            #expect(try await gateway.send(.GET, "/v1/jobs/\(jobID)").object?["status"] as? String == "pending")

            let sentinel = try #require(try await gateway.submit(Self.body).object?["job_id"] as? String)
            let messages = try await gateway.jobMessages(through: sentinel)
            #expect(messages.filter { $0.keyString == jobID }.count == 1)
        }
    }
}
