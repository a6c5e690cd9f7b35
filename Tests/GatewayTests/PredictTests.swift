import AsyncHTTPClient
import Foundation
import InferenceJobs
import InferenceModels
import KinferTestSupport
import Testing

/// A catalog with only the simulated model, at `latency` per batch.
func simulatedCatalog(latency: Duration) -> ModelCatalog {
    ModelCatalog([SimulatedModel(configuration: SimulatedModel.Configuration(batchLatency: latency))])
}

let simulatedBody = #"{"model": "simulated", "inputs": {"features": [1, 2, 3]}}"#

extension GatewayHarness {
    /// `POST /v1/predict` with a JSON body and the test key.
    func predict(_ json: String, extraHeaders: [(String, String)] = []) async throws -> HTTPReply {
        try await self.send(
            .POST, "/v1/predict",
            headers: [("Authorization", "Bearer \(testAPIKey)"), ("Content-Type", "application/json")] + extraHeaders,
            body: Array(json.utf8)
        )
    }
}

@Suite("Predict")
struct PredictTests {
    @Test("POST /v1/predict with the simulated model at 50 ms: 200 with the result, the same JSON GET then gives")
    func fastModelAnswers200() async throws {
        try await withGateway { gateway in
            try await gateway.withWorkerAndSink(models: simulatedCatalog(latency: .milliseconds(50))) {
                for _ in 0..<3 {
                    let started = ContinuousClock.now
                    let reply = try await gateway.predict(simulatedBody)
                    #expect(reply.status == 200, "\(reply.text)")
                    #expect(ContinuousClock.now - started < .seconds(10))
                    let object = try #require(reply.object)
                    #expect(object["status"] as? String == "completed")
                    #expect(object["model"] as? String == "simulated")
                    let jobID = try #require(object["job_id"] as? String)
                    #expect((object["output"] as? [String: Any])?["label"] is String)
                    // The sink writes it too; once it has, GET answers with the same result.
                    try await waitUntil("the result of \(jobID) in the store", timeout: .seconds(20)) {
                        (try await gateway.send(.GET, "/v1/jobs/\(jobID)")).object?["status"] as? String == "completed"
                    }
                    let polled = try #require(try await gateway.send(.GET, "/v1/jobs/\(jobID)").object)
                    for field in ["job_id", "status", "model", "model_version", "worker", "submitted_at", "completed_at"] {
                        #expect(polled[field] as? String == object[field] as? String, "\(field)")
                    }
                    #expect((polled["output"] as? [String: Any])?["label"] as? String == (object["output"] as? [String: Any])?["label"] as? String)
                }
            }
        }
    }

    @Test("The model at 5 s, sync timeout 500 ms: 504 with Retry-After, job_id and Location; the job goes on and GET later reads completed")
    func slowModelTimesOutAndTheJobGoesOn() async throws {
        try await withGateway(configure: { $0.syncTimeout = .milliseconds(500) }) { gateway in
            try await gateway.withWorkerAndSink(models: simulatedCatalog(latency: .seconds(5))) {
                let started = ContinuousClock.now
                let reply = try await gateway.predict(simulatedBody)
                let waited = ContinuousClock.now - started
                #expect(reply.status == 504, "\(reply.text)")
                #expect(waited >= .milliseconds(500) && waited < .seconds(4), "\(waited)")
                #expect(reply.headers.first(name: "Retry-After") == "1")
                #expect(reply.headers.first(name: "Content-Type") == "application/problem+json")
                #expect(reply.object?["type"] as? String == "/problems/sync-timeout")
                let jobID = try #require(reply.object?["job_id"] as? String)
                #expect(reply.headers.first(name: "Location") == "/v1/jobs/\(jobID)")
                #expect(reply.object?["location"] as? String == "/v1/jobs/\(jobID)")
                try await waitUntil("job \(jobID) completed", timeout: .seconds(20)) {
                    (try await gateway.send(.GET, "/v1/jobs/\(jobID)")).object?["status"] as? String == "completed"
                }
            }
        }
    }

    @Test("Graceful shutdown: a predict call still waiting when the grace period ends answers 504 with its job's Location; the job goes on")
    func shutdownAnswersWaitingPredictsAfterTheGracePeriod() async throws {
        try await withGateway(configure: {
            $0.syncTimeout = .seconds(60)
            $0.gracePeriod = .milliseconds(500)
        }) { gateway in
            try await gateway.withWorkerAndSink(models: simulatedCatalog(latency: .seconds(10))) {
                let jobID = "shutdown-\(UUID().uuidString)"
                async let waiting = gateway.predict(#"{"job_id": "\#(jobID)", "model": "simulated", "inputs": {"features": [1, 2, 3]}}"#)
                // Accepted (its waiter registered before the job was produced), so the call now waits for the result.
                try await waitUntil("job \(jobID) accepted", timeout: .seconds(20)) {
                    try await gateway.store.jobRecord(for: jobID) != nil
                }
                let shutdownBegan = ContinuousClock.now
                await gateway.beginShutdown()
                let reply = try await waiting
                let waited = ContinuousClock.now - shutdownBegan
                // Without the grace period the call would wait for the model (10 s) and answer 200.
                #expect(reply.status == 504, "\(reply.text)")
                #expect(waited >= .milliseconds(500) && waited < .seconds(5), "\(waited)")
                #expect(reply.object?["job_id"] as? String == jobID)
                #expect(reply.headers.first(name: "Location") == "/v1/jobs/\(jobID)")
                #expect((reply.object?["detail"] as? String)?.contains("shut down") == true, "\(reply.text)")
                try await waitUntil("job \(jobID) completed in the store", timeout: .seconds(30)) {
                    if case .finished = try await gateway.store.jobRecord(for: jobID) { return true }
                    return false
                }
            }
        }
    }

    @Test("A body's smaller timeout_ms bounds the wait; a bad body is refused as POST /v1/jobs refuses it; a full instance answers 503")
    func limitsAndValidation() async throws {
        try await withGateway(configure: { $0.maxWaitingPredicts = 0 }) { gateway in
            let invalid = try await gateway.predict(#"{"model": "nope", "inputs": {"features": [1]}}"#)
            #expect(invalid.status == 422)
            #expect(invalid.problemFields == ["model"])
            let full = try await gateway.predict(simulatedBody, extraHeaders: [("Idempotency-Key", "full-1")])
            #expect(full.status == 503)
            #expect(full.headers.first(name: "Retry-After") == "1")
            // Nothing was enqueued for it, and the key is free again at once.
            #expect(try await gateway.submit(simulatedBody, extraHeaders: [("Idempotency-Key", "full-1")]).status == 202)
        }
        try await withGateway(configure: { $0.syncTimeout = .seconds(20) }) { gateway in
            // No worker: the job's own 300 ms bounds the wait, not the 20 s.
            let started = ContinuousClock.now
            let reply = try await gateway.predict(#"{"model": "simulated", "inputs": {"features": [1]}, "timeout_ms": 300}"#)
            #expect(reply.status == 504)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }
}
