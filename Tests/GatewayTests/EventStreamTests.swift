import AsyncHTTPClient
import Foundation
import InferenceJobs
import InferenceModels
import Kafka
import KinferTestSupport
import ResultStore
import ResultsSink
import Synchronization
import Testing

@Suite("Event streams")
struct EventStreamTests {
    // 200 streams opened before any job runs, each pushed exactly one result event: SubmitAndPollTests, among
    // its 2,000 jobs.

    @Test("Reconnect with Last-Event-ID: status gets only the result; a job already finished gets its result at once; Last-Event-ID: result gets nothing")
    func lastEventIDAndFinishedJobs() async throws {
        try await withGateway(configure: { $0.heartbeatInterval = .milliseconds(200) }) { gateway in
            let submitted = try await gateway.submit(simulatedBody)
            let jobID = try #require(submitted.object?["job_id"] as? String)

            // A first connection sees the status, then the client goes away (before any result).
            let first = try await gateway.followEvents(jobID, stopAfterEvents: 1, timeout: .seconds(10))
            #expect(first.events.map(\.id) == ["status"])
            #expect(first.events.map(\.name) == ["status"])
            try await gateway.withWorkerAndSink(models: simulatedCatalog(latency: .milliseconds(300))) {
                // The reconnect, during the job's 300 ms: only the result, id result; heartbeats while it waits.
                let resumed = try await gateway.followEvents(jobID, lastEventID: "status", timeout: .seconds(20))
                #expect(resumed.status == 200)
                #expect(resumed.events.map(\.name) == ["result"])
                #expect(resumed.events.map(\.id) == ["result"])
                #expect(resumed.events.first?.object?["status"] as? String == "completed")
                #expect(resumed.comments.allSatisfy { $0 == "keep-alive" })

                try await waitUntil("the result of \(jobID) in the store", timeout: .seconds(20)) {
                    (try await gateway.send(.GET, "/v1/jobs/\(jobID)")).object?["status"] as? String == "completed"
                }
            }
            // Finished: status and result at once, no worker needed.
            let started = ContinuousClock.now
            let finished = try await gateway.followEvents(jobID, timeout: .seconds(5))
            #expect(finished.events.map(\.name) == ["status", "result"])
            #expect(finished.events.first?.object?["status"] as? String == "completed")
            #expect(finished.comments.isEmpty)
            #expect(ContinuousClock.now - started < .seconds(2))
            let polled = try await gateway.send(.GET, "/v1/jobs/\(jobID)")
            #expect(finished.events.last?.data == polled.text)

            let over = try await gateway.followEvents(jobID, lastEventID: "result", timeout: .seconds(5))
            #expect(over.status == 200 && over.events.isEmpty)

            let unknown = try await gateway.followEvents("never-seen", timeout: .seconds(5))
            #expect(unknown.status == 404)
        }
    }

    /// The race a stream opened right after the submit meets: the result passed the follower before the stream's
    /// ticket existed, and the sink stored it only later. The stream still ends with it, from the store.
    @Test("A result the follower read before the stream opened, stored only afterwards, still ends the stream")
    func resultStoredAfterTheStreamOpened() async throws {
        try await withGateway { gateway in
            let jobID = uniqueName("raced")
            try await gateway.store.recordAccepted(jobID: jobID, key: nil, at: Date())
            let now = Date()
            let result = JobResult(
                jobID: jobID, status: .completed, output: ModelOutput(label: "4", confidence: 0.9, scores: [0.9]),
                attempts: 1, model: "simulated", modelVersion: "1", worker: "test", submittedAt: now, startedAt: now, completedAt: now
            )
            // On the results topic before anyone waits: the follower reads it and hands it to no one.
            let producer = try KafkaProducer(configuration: gateway.cluster.producerConfiguration())
            _ = try await producer.send(KafkaProducerMessage(topic: gateway.topics.results, key: jobID, value: JobCodec.encode(result)))
            await producer.close()

            let opened = Locked(false)
            async let reply = gateway.followEvents(jobID, timeout: .seconds(20)) { event in
                if event.name == "status" { opened.withLock { $0 = true } }
            }
            try await waitUntil("the stream open", timeout: .seconds(10)) { opened.withLock { $0 } }
            // Now the sink's write lands.
            _ = try await gateway.store.write([StoredResult(result: result, partition: 0, offset: 0)])
            let events = try await reply.events
            #expect(events.map(\.name) == ["status", "result"])
            #expect(events.last?.object?["output"].flatMap { $0 as? [String: Any] }?["label"] as? String == "4")
        }
    }
}
