import Foundation
import Gateway
import InferenceJobs
import Kafka
import KinferTestSupport
import Prometheus
import ResultStore
import Testing

/// Tokens on the stream topic produced straight by the test, as a worker would (and as a worker that crashed and a
/// repeat would), so that every ordering is the test's to choose.
@Suite("Token streams from the stream topic")
struct TokenStreamTests {
    static func textResult(_ jobID: String, _ text: String, tokens: Int) -> JobResult {
        let now = Date()
        return JobResult(
            jobID: jobID, status: .completed, output: .text(GeneratedText(text: text, tokens: tokens, finishReason: "stop")),
            attempts: 2, model: "generator", modelVersion: "generator-1", worker: "test", submittedAt: now, startedAt: now, completedAt: now
        )
    }

    @Test("A superseding run, the result before the last chunks, a stream whose last chunks never come, and Last-Event-ID halfway on another instance")
    func supersedingOutOfOrderAndResumed() async throws {
        let registry = PrometheusCollectorRegistry()
        try await withGateway(partitions: 2, metricsFactory: PrometheusMetricsFactory(registry: registry), configure: {
            $0.heartbeatInterval = .milliseconds(200)
            $0.streamCatchUp = .milliseconds(1500)
        }) { gateway in
            try await gateway.withSecondInstance { second in
                let producer = try KafkaProducer(configuration: gateway.cluster.producerConfiguration())
                func chunk(_ jobID: String, _ run: String, attempt: Int, _ index: Int, _ tokens: [String]) async throws {
                    let record = StreamChunk(jobID: jobID, attempt: attempt, run: run, index: index, tokens: tokens)
                    _ = try await producer.send(KafkaProducerMessage(topic: gateway.topics.stream, key: jobID, value: JobCodec.encode(record)))
                }
                func result(_ value: JobResult) async throws {
                    _ = try await producer.send(KafkaProducerMessage(topic: gateway.topics.results, key: value.jobID, value: JobCodec.encode(value)))
                }
                let words = ["The", " queue", " holds", " every", " job", " until", " a", " worker", " takes"]
                let jobID = uniqueName("streamed")
                let lost = uniqueName("lost")
                for job in [jobID, lost] { try await gateway.store.recordAccepted(jobID: job, key: nil, at: Date()) }

                let seen = Locked<[ServerSentEvent]>([])
                async let followed = gateway.followEvents(jobID, timeout: .seconds(20)) { event in seen.withLock { $0.append(event) } }
                let lostSeen = Locked<[ServerSentEvent]>([])
                async let lostFollowed = gateway.followEvents(lost, timeout: .seconds(20)) { event in lostSeen.withLock { $0.append(event) } }
                try await waitUntil("both streams open", timeout: .seconds(10)) {
                    seen.withLock { $0.count } == 1 && lostSeen.withLock { $0.count } == 1
                }
                func tokens(_ events: Locked<[ServerSentEvent]>) -> [ServerSentEvent] { events.withLock { $0.filter { $0.name == "token" } } }

                // The first run sends five tokens, then its worker dies.
                try await chunk(jobID, "run-1", attempt: 1, 0, Array(words[0..<3]))
                try await chunk(jobID, "run-1", attempt: 1, 3, Array(words[3..<5]))
                try await waitUntil("five tokens", timeout: .seconds(10)) { tokens(seen).count == 5 }
                // The repeat starts over (index 0, a new run) and goes further; a late record of the dead run is ignored.
                try await chunk(jobID, "run-2", attempt: 2, 0, Array(words[0..<3]))
                try await chunk(jobID, "run-2", attempt: 2, 3, Array(words[3..<6]))
                try await chunk(jobID, "run-1", attempt: 1, 5, [" NOT-THIS"])
                try await waitUntil("six tokens", timeout: .seconds(10)) { tokens(seen).count == 6 }
                // The result overtakes the last chunks.
                try await result(Self.textResult(jobID, words.joined(), tokens: words.count))
                try await chunk(jobID, "run-2", attempt: 2, 6, Array(words[6..<9]))

                let events = try await followed.events
                #expect(events.map(\.name) == ["status"] + Array(repeating: "token", count: 9) + ["result"])
                let streamed = events.filter { $0.name == "token" }
                #expect(streamed.compactMap { $0.object?["token"] as? String } == words, "every token once, in order, from the right run")
                #expect(streamed.compactMap { $0.object?["index"] as? Int } == Array(0..<9))
                #expect(streamed.map(\.id) == (0..<9).map { "\($0)" })
                #expect(events.last?.id == "result")
                #expect((events.last?.object?["output"] as? [String: Any])?["text"] as? String == words.joined())

                // A stream whose last chunks never come: after the catch-up wait, the rest of the text as one token.
                try await chunk(lost, "run-1", attempt: 1, 0, ["Only", " two"])
                try await waitUntil("two tokens of the lost stream", timeout: .seconds(10)) { tokens(lostSeen).count == 2 }
                try await result(Self.textResult(lost, "Only two of five", tokens: 5))
                let lostEvents = try await lostFollowed.events.filter { $0.name == "token" }
                #expect(lostEvents.compactMap { $0.object?["token"] as? String } == ["Only", " two", " of five"])
                #expect(lostEvents.last?.object?["index"] as? Int == 2 && lostEvents.last?.id == "4")
                let samples = PrometheusSamples(String(decoding: registry.emitToBuffer(), as: UTF8.self))
                #expect(samples.value("kinfer_gateway_stream_tokens_total") == 12)
                #expect(samples.value("kinfer_gateway_stream_text_fallbacks_total") == 1)
                #expect(samples.value("kinfer_gateway_stream_cache_streams") == 2)
                #expect((samples.value("kinfer_gateway_stream_cache_bytes") ?? 0) > 0)

                // The sink stores the result; a client that saw up to index 4 reconnects to the other instance and
                // gets only the rest, from that instance's own cache of the stream topic.
                _ = try await gateway.store.write([StoredResult(result: Self.textResult(jobID, words.joined(), tokens: words.count), partition: 0, offset: 0)])
                let resumed = try await gateway.followEvents(jobID, lastEventID: "4", baseURL: second, timeout: .seconds(10))
                #expect(resumed.events.map(\.name) == ["token", "token", "token", "token", "result"])
                #expect(resumed.events.compactMap { $0.object?["token"] as? String } == Array(words[5...]))
                #expect(resumed.events.compactMap { $0.object?["index"] as? Int } == [5, 6, 7, 8])
                let fromStatus = try await gateway.followEvents(jobID, lastEventID: "status", baseURL: second, timeout: .seconds(10))
                #expect(fromStatus.events.compactMap { $0.object?["token"] as? String }.joined() == words.joined())
                await producer.close()
            }
        }
    }
}
