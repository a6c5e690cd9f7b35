import AsyncHTTPClient
import Foundation
import InferenceJobs
import InferenceModels
import KinferTestSupport
import Testing

@Suite("Submit and poll")
struct SubmitAndPollTests {
    @Test("2,000 digit jobs through POST /v1/jobs, the sink's recorder writing the pending rows: each 202 with links, pending before the worker runs, then completed with the model's own label; 200 of them followed over /events, opened before any job ran, each getting its status and exactly one result event with that label")
    func digitsThroughTheGateway() async throws {
        let testSet = try DigitsTestSet()
        let model = try DigitsClassifier()
        let count = 2_000
        // As `kinfer gateway` runs by default: the sink's pending-job recorder writes the pending rows, and a look-up
        // that finds none waits for it.
        let recorderGroup = uniqueName("pending")
        try await withGateway(configure: { $0.pendingRecorderGroup = recorderGroup }) { gateway in
            try await gateway.withPendingJobRecorder(group: recorderGroup) { _ in
                // Submitted with 16 clients at once, alternating the two shapes.
                let accepted = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                    var submitted: [Int: String] = [:]
                    var next = 0
                    func add(_ index: Int) {
                        let features = testSet.features[index % testSet.count].map { "\(Int($0))" }.joined(separator: ",")
                        let body = index.isMultiple(of: 2)
                            ? #"{"model": "digits", "inputs": {"features": [\#(features)]}}"#
                            : #"{"image_url": "http://127.0.0.1/\#(index).png", "features": [\#(features)]}"#
                        group.addTask {
                            let reply = try await gateway.submit(body)
                            try #require(reply.status == 202, "\(reply.text)")
                            let object = try #require(reply.object)
                            let jobID = try #require(object["job_id"] as? String)
                            #expect(object["status"] as? String == "pending")
                            #expect(object.keys.contains("estimated_wait_seconds"))
                            let links = try #require(object["links"] as? [String: String])
                            #expect(links["self"] == "/v1/jobs/\(jobID)")
                            #expect(links["events"] == "/v1/jobs/\(jobID)/events")
                            #expect(reply.headers.first(name: "Location") == "/v1/jobs/\(jobID)")
                            return (index, jobID)
                        }
                    }
                    while next < min(16, count) { add(next); next += 1 }
                    for try await (index, jobID) in group {
                        submitted[index] = jobID
                        if next < count { add(next); next += 1 }
                    }
                    return submitted
                }
                #expect(accepted.count == count)
                #expect(Set(accepted.values).count == count)

                // No worker yet: every accepted job reads as pending.
                let first = try await gateway.send(.GET, "/v1/jobs/\(accepted[0]!)")
                #expect(first.status == 200)
                #expect(first.object?["status"] as? String == "pending")

                // Every 10th job followed, one connection per stream (the shared client would queue them 8 at a time).
                let followedJobs = accepted.filter { $0.key.isMultiple(of: 10) }
                var configuration = HTTPClient.Configuration()
                configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: followedJobs.count + 8)
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                let opened = Locked(0)
                let followed: Result<[Int: EventStreamReply], any Error>
                do {
                    followed = .success(try await withThrowingTaskGroup(of: (Int, EventStreamReply).self) { group in
                        for (index, jobID) in followedJobs {
                            group.addTask {
                                let reply = try await gateway.followEvents(jobID, client: client, timeout: .seconds(80)) { event in
                                    if event.name == "status" { opened.withLock { $0 += 1 } }
                                }
                                return (index, reply)
                            }
                        }
                        // Every stream is open (and waiting) before any job runs: the results are pushed, not found.
                        try await waitUntil("\(followedJobs.count) streams open", timeout: .seconds(20)) { opened.withLock { $0 } == followedJobs.count }
                        return try await gateway.withWorkerAndSink {
                            try await waitUntil("\(count) results in the store", timeout: .seconds(60)) {
                                try await gateway.store.count() >= count
                            }
                            var replies: [Int: EventStreamReply] = [:]
                            for try await (index, reply) in group { replies[index] = reply }
                            return replies
                        }
                    })
                } catch {
                    followed = .failure(error)
                }
                try await client.shutdown()
                let replies = try followed.get()
                #expect(replies.count == followedJobs.count)
                for (index, jobID) in followedJobs {
                    let reply = try #require(replies[index])
                    #expect(reply.status == 200)
                    #expect(reply.headers.first(name: "Content-Type") == "text/event-stream")
                    #expect(reply.events.map(\.name) == ["status", "result"], "\(reply.events)")
                    #expect(reply.events.map(\.id) == ["status", "result"])
                    #expect(reply.events.first?.object?["status"] as? String == "pending")
                    let result = try #require(reply.events.last?.object)
                    #expect(result["job_id"] as? String == jobID)
                    let expected = try model.predict(ModelInput(features: testSet.features[index % testSet.count])).classification?.label
                    #expect((result["output"] as? [String: Any])?["label"] as? String == expected)
                }

                for (index, jobID) in accepted.sorted(by: { $0.key < $1.key }) {
                    let reply = try await gateway.send(.GET, "/v1/jobs/\(jobID)")
                    #expect(reply.status == 200)
                    let object = try #require(reply.object)
                    #expect(object["status"] as? String == "completed", "\(reply.text)")
                    let expected = try model.predict(ModelInput(features: testSet.features[index % testSet.count])).classification?.label
                    #expect((object["output"] as? [String: Any])?["label"] as? String == expected)
                }
            }
        }
    }

    @Test("GET of an ID never seen: 404 with a problem body saying it may be unknown or past retention")
    func unknownJobIs404() async throws {
        try await withGateway { gateway in
            let reply = try await gateway.send(.GET, "/v1/jobs/never-seen")
            #expect(reply.status == 404)
            #expect(reply.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(reply.object?["type"] as? String == "/problems/unknown-job")
            #expect((reply.object?["detail"] as? String)?.contains("retention") == true)
        }
    }

    @Test("A broker that does not answer: 503 with Retry-After within the produce timeout, and a retry with the key is not refused as in progress")
    func unreachableBrokerIs503() async throws {
        // Port 1 on loopback: nothing listens there.
        try await withGateway(bootstrapServers: ["127.0.0.1:1"], configure: { $0.produceTimeout = .milliseconds(800) }) { gateway in
            for _ in 0..<2 {
                let started = ContinuousClock.now
                let reply = try await gateway.submit(#"{"features": [\#(Array(repeating: "0", count: 64).joined(separator: ","))]}"#, extraHeaders: [("Idempotency-Key", "retry-me")])
                #expect(reply.status == 503)
                #expect(reply.headers.first(name: "Retry-After") == "1")
                #expect(reply.object?["type"] as? String == "/problems/unavailable")
                #expect(ContinuousClock.now - started < .seconds(10))
            }
        }
    }
}
