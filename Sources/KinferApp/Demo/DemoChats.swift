import AsyncHTTPClient
import ChatCompletionModels
import Foundation
import NIOCore

/// The demo's streamed chat completions: `count` of them through `POST /v1/chat/completions` with `stream: true`,
/// `concurrency` at a time, each read as OpenAI's clients read it and its text checked against the job's stored
/// result.
enum DemoChats {
    struct Outcome: Sendable {
        var streams = 0
        var tokens = 0
        /// Streams whose text equals their stored result's.
        var matching = 0
        /// From each request's start to its first token.
        var firstTokenMilliseconds: [Double] = []
        var problems: [String] = []
    }

    static func run(baseURL: String, client: HTTPClient, count: Int, concurrency: Int, maxTokens: Int) async -> Outcome {
        await withTaskGroup(of: Result<(tokens: Int, firstToken: Double, matches: Bool), DemoProblem>.self) { group in
            var started = 0
            func start() {
                let index = started
                started += 1
                group.addTask { await chat(index, baseURL: baseURL, client: client, maxTokens: maxTokens) }
            }
            for _ in 0..<min(concurrency, count) { start() }
            var outcome = Outcome()
            for await result in group {
                outcome.streams += 1
                switch result {
                case .success(let stream):
                    outcome.tokens += stream.tokens
                    outcome.firstTokenMilliseconds.append(stream.firstToken)
                    if stream.matches { outcome.matching += 1 }
                case .failure(let problem):
                    outcome.problems.append(problem.message)
                }
                if started < count { start() }
            }
            return outcome
        }
    }

    struct DemoProblem: Error {
        var message: String
    }

    /// One streamed completion; then the job's stored result (the sink writes it shortly after the stream ends).
    private static func chat(_ index: Int, baseURL: String, client: HTTPClient, maxTokens: Int) async -> Result<(tokens: Int, firstToken: Double, matches: Bool), DemoProblem> {
        do {
            var request = HTTPClientRequest(url: baseURL + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            let body: [String: Any] = [
                "model": "generator", "stream": true, "max_tokens": maxTokens,
                "messages": [["role": "user", "content": "Why hand slow model work to a queue? (\(index))"]],
            ]
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await client.execute(request, timeout: .seconds(60))
            guard response.status == .ok else {
                return .failure(DemoProblem(message: "chat \(index): \(response.status.code) \(String(buffer: try await response.body.collect(upTo: 1 << 16)))"))
            }
            var text = "", tokens = 0, jobID: String?, firstToken: Duration?
            var parser = ServerSentEventParser()
            reading: for try await buffer in response.body {
                for event in try parser.parse(buffer.readableBytesView) {
                    if event.data == "[DONE]" { break reading }
                    let chunk = try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any]
                    jobID = jobID ?? (chunk?["id"] as? String).map { String($0.dropFirst("chatcmpl-".count)) }
                    let delta = ((chunk?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
                    if let delta, !delta.isEmpty {
                        firstToken = firstToken ?? clock.now - start
                        text += delta
                        tokens += 1
                    }
                }
            }
            guard let jobID, let firstToken else { return .failure(DemoProblem(message: "chat \(index): no tokens")) }
            let stored = try await storedText(of: jobID, baseURL: baseURL, client: client)
            return .success((tokens, Double(firstToken.components.attoseconds) / 1e15 + Double(firstToken.components.seconds) * 1000, stored == text))
        } catch {
            return .failure(DemoProblem(message: "chat \(index): \(error)"))
        }
    }

    /// The text of the job's stored result, once the sink has written it (asked again for up to 10 s).
    private static func storedText(of jobID: String, baseURL: String, client: HTTPClient) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let response = try await client.execute(HTTPClientRequest(url: baseURL + "/v1/jobs/\(jobID)"), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            let status = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
            if status?["status"] as? String == "completed" {
                return (status?["output"] as? [String: Any])?["text"] as? String
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}
