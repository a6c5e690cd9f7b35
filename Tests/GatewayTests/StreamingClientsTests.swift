import AsyncHTTPClient
import Foundation
import Gateway
import InferenceJobs
import InferenceModels
import KinferTestSupport
import Testing

@Suite("Streaming clients through the whole pipeline")
struct StreamingClientsTests {
    @Test("200 streaming jobs of 100 tokens at 5 ms a token through two workers and the gateway: every SSE client gets every token once, in order, then one result whose text is the tokens'", .timeLimit(.minutes(2)))
    func twoHundredClients() async throws {
        let group = uniqueName("stream-workers")
        let generator = SimulatedGenerator(configuration: .init(tokenInterval: .milliseconds(5), tokenCount: 100))
        let rules = ModelRules(inputWidths: ["generator": nil], defaultModel: "generator")
        try await withGateway(models: rules) { gateway in
            try await gateway.withWorkerAndSink(models: ModelCatalog([generator]), workersGroup: group, configureWorker: { $0.workerName = "w1" }) {
                try await gateway.withWorkerAndSink(models: ModelCatalog([generator]), workersGroup: group, configureWorker: { $0.workerName = "w2" }) {
                    var configuration = HTTPClient.Configuration()
                    configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 216)
                    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                    let outcome: Result<[String], any Error>
                    do {
                        outcome = .success(try await withThrowingTaskGroup(of: String?.self) { tasks in
                            for index in 0..<200 {
                                tasks.addTask {
                                    let body = #"{"model":"generator","inputs":{"prompt":"client \#(index % 13)","max_tokens":100},"stream":true}"#
                                    let accepted = try await gateway.submit(body)
                                    guard accepted.status == 202, let jobID = accepted.object?["job_id"] as? String else {
                                        return "client \(index): \(accepted.status)"
                                    }
                                    let reply = try await gateway.followEvents(jobID, client: client, timeout: .seconds(60))
                                    return Self.problem(with: reply, of: jobID)
                                }
                            }
                            var problems: [String] = []
                            for try await problem in tasks { if let problem { problems.append(problem) } }
                            return problems
                        })
                    } catch {
                        outcome = .failure(error)
                    }
                    try await client.shutdown()
                    let problems = try outcome.get()
                    #expect(problems.isEmpty, "\(problems.count) of 200 streams were wrong: \(problems.prefix(3))")
                }
            }
        }
    }

    /// What is wrong with one client's stream, or `nil`: tokens 0..<100 once each in order, then exactly one
    /// completed result whose text is theirs.
    static func problem(with reply: EventStreamReply, of jobID: String) -> String? {
        guard reply.status == 200 else { return "\(jobID): events answered \(reply.status)" }
        let tokens = reply.events.filter { $0.name == "token" }
        let results = reply.events.filter { $0.name == "result" }
        let indices = tokens.map { $0.object?["index"] as? Int ?? -1 }
        guard indices == Array(0..<100) else { return "\(jobID): token indices \(indices.prefix(8))… (\(indices.count))" }
        guard tokens.map(\.id) == indices.map(String.init) else { return "\(jobID): token event IDs are not their indices" }
        guard results.count == 1, reply.events.last?.name == "result" else { return "\(jobID): \(results.count) result events, last \(reply.events.last?.name ?? "-")" }
        let output = results[0].object?["output"] as? [String: Any]
        let text = tokens.map { $0.object?["token"] as? String ?? "" }.joined()
        guard results[0].object?["status"] as? String == "completed", output?["text"] as? String == text else {
            return "\(jobID): the result's text is not the tokens'"
        }
        return nil
    }
}

extension StreamingClientsTests {
    @Test("A streamed chat completion whose first token comes after the sync timeout is not cut: it waits (up to the stream idle timeout) and gets every token, then [DONE]", .timeLimit(.minutes(1)))
    func firstTokenLaterThanTheSyncTimeout() async throws {
        let generator = SimulatedGenerator(configuration: .init(tokenInterval: .milliseconds(800), tokenCount: 2))
        try await withGateway(
            models: ModelRules(inputWidths: ["generator": nil], defaultModel: "generator"),
            configure: {
                $0.syncTimeout = .milliseconds(300)
                $0.streamIdleTimeout = .seconds(20)
            }
        ) { gateway in
            try await gateway.withWorkerAndSink(models: ModelCatalog([generator])) {
                let streamed = try await gateway.send(
                    .POST, "/v1/chat/completions", headers: [("Authorization", "Bearer \(testAPIKey)"), ("Content-Type", "application/json")],
                    body: Array(#"{"model": "generator", "messages": [{"role": "user", "content": "Hi"}], "stream": true}"#.utf8)
                )
                #expect(streamed.status == 200)
                let frames = streamed.text.components(separatedBy: "\n\n").filter { !$0.isEmpty && !$0.hasPrefix(":") }
                #expect(!streamed.text.contains(#""error""#), "\(streamed.text)")
                let contents = frames.compactMap { frame -> String? in
                    guard frame.hasPrefix("data: {") else { return nil }
                    let chunk = try? JSONSerialization.jsonObject(with: Data(frame.dropFirst(6).utf8)) as? [String: Any]
                    return ((chunk?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
                }.filter { !$0.isEmpty }
                #expect(contents.count == 2, "\(streamed.text)")
                #expect(frames.last == "data: [DONE]")
            }
        }
    }
}
