import ArgumentParser
import AsyncHTTPClient
import ChatCompletionModels
import EmbeddedKafka
import Foundation
import Gateway
import InferenceJobs
import InferenceModels
import NIOCore

/// `streaming` (issue #20): how long a caller waits for the first token and between tokens, through the whole
/// pipeline (`POST /v1/chat/completions` with `stream: true` to the gateway, the jobs topic, two workers running the
/// simulated generator, the stream topic, the gateway's relay, SSE), at 1, 10 and 100 concurrent streams, against
/// the same generator run directly in this process with as many concurrent generations: the model's own pace, so
/// that the difference is what the pipeline adds.
///
/// Everything runs in this process and talks only to 127.0.0.1.
struct StreamingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streaming",
        abstract: "Time to first token and between tokens through the pipeline (gateway SSE) vs the generator alone."
    )

    @Option(help: "Concurrent streams to measure at, comma-separated.")
    var streams = "1,10,100"

    @Option(help: "Streams per measured level: at least this many, and at least the level's concurrency.")
    var perLevel = 40

    @Option(help: "Tokens per stream.")
    var tokens = 20

    @Option(help: "The simulated generator's milliseconds per token.")
    var tokenIntervalMs = 50

    @Option(help: "Partitions per topic.")
    var partitions = 12

    @Flag(help: "Print one JSON object per measured line instead of a table.")
    var json = false

    var levels: [Int] { streams.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard !levels.isEmpty, levels.allSatisfy({ (1...1_000).contains($0) }) else {
            throw ValidationError("--streams must be a comma-separated list of counts from 1 to 1000, got \(streams)")
        }
        guard perLevel > 0, tokens > 1, tokenIntervalMs > 0, partitions > 0 else {
            throw ValidationError("--per-level, --token-interval-ms and --partitions must be positive and --tokens at least 2")
        }
    }

    /// One subject at one concurrency: first-token and inter-token latencies over every stream.
    struct Line {
        var subject: String
        var streams: Int
        var count: Int
        var firstToken: LatencySamples
        var betweenTokens: LatencySamples
    }

    func run() async throws {
        let generator = SimulatedGenerator(configuration: .init(tokenInterval: .milliseconds(tokenIntervalMs), tokenCount: tokens))
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: benchLogger)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-bench-streaming-\(runID)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rules = ModelRules(inputWidths: ["generator": nil], defaultModel: "generator")
        let workers = BenchWorkers(models: ModelCatalog([generator]), count: 2)

        // One connection per stream: a shared client's pool would queue streams eight at a time, and that wait
        // would count as the pipeline's.
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: (levels.max() ?? 1) + 8)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        defer { _ = client.shutdown() }
        var lines: [Line] = []
        try await withBenchGateway(cluster: cluster, name: "stream", partitions: partitions, linger: nil, rules: rules, workers: workers, scratch: scratch) { port in
            let url = "http://127.0.0.1:\(port)/v1/chat/completions"
            _ = try await measure(concurrency: 1, count: 2) { try await Self.chatStream(url: url, tokens: tokens, index: $0, client: client) }  // warm-up
            for level in levels {
                let count = max(perLevel, level)
                lines.append(try await measure(subject: "model alone", concurrency: level, count: count) { index in
                    try await Self.generateDirectly(generator, tokens: tokens, index: index)
                })
                lines.append(try await measure(subject: "kinfer (SSE)", concurrency: level, count: count) { index in
                    try await Self.chatStream(url: url, tokens: tokens, index: index, client: client)
                })
            }
        }
        print(lines)
    }

    /// Runs `count` streams, `concurrency` at a time, each giving the instants of its tokens' arrival relative to
    /// its start.
    private func measure(
        subject: String = "", concurrency: Int, count: Int, _ stream: @escaping @Sendable (Int) async throws -> [Duration]
    ) async throws -> Line {
        var line = Line(subject: subject, streams: concurrency, count: count, firstToken: LatencySamples(), betweenTokens: LatencySamples())
        try await withThrowingTaskGroup(of: [Duration].self) { group in
            var started = 0
            for _ in 0..<min(concurrency, count) {
                let index = started
                group.addTask { try await stream(index) }
                started += 1
            }
            for try await arrivals in group {
                guard arrivals.count == tokens else { throw BenchFailure("a stream gave \(arrivals.count) tokens, not \(tokens)") }
                line.firstToken.record(arrivals[0])
                for index in 1..<arrivals.count { line.betweenTokens.record(arrivals[index] - arrivals[index - 1]) }
                if started < count {
                    let index = started
                    group.addTask { try await stream(index) }
                    started += 1
                }
            }
        }
        return line
    }

    /// The generator in this process: when each token is made, from the call.
    private static func generateDirectly(_ generator: SimulatedGenerator, tokens: Int, index: Int) async throws -> [Duration] {
        let clock = ContinuousClock()
        let start = clock.now
        var arrivals: [Duration] = []
        for try await event in generator.generate(ModelInput(prompt: "bench \(index)", maxTokens: tokens)) {
            if case .chunk = event { arrivals.append(clock.now - start) }
        }
        return arrivals
    }

    /// One streamed chat completion through the gateway: when each content chunk arrives, from the request's start.
    private static func chatStream(url: String, tokens: Int, index: Int, client: HTTPClient) async throws -> [Duration] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body = #"{"model":"generator","stream":true,"max_tokens":\#(tokens),"messages":[{"role":"user","content":"bench \#(index)"}]}"#
        request.body = .bytes(ByteBuffer(string: body))
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await client.execute(request, timeout: .seconds(120))
        guard response.status == .ok else {
            let text = String(buffer: try await response.body.collect(upTo: 1 << 16))
            throw BenchFailure("POST /v1/chat/completions answered \(response.status.code): \(text)")
        }
        var arrivals: [Duration] = []
        var parser = ServerSentEventParser()
        for try await buffer in response.body {
            for event in try parser.parse(buffer.readableBytesView) {
                if event.data == "[DONE]" { return arrivals }
                // A content delta (not the role-only first chunk nor the closing one) is a token.
                if event.data.contains(#""content":""#) && !event.data.contains(#""content":"""#) { arrivals.append(clock.now - start) }
            }
        }
        throw BenchFailure("the stream ended without [DONE] after \(arrivals.count) tokens")
    }

    private func print(_ lines: [Line]) {
        let pace = Double(tokenIntervalMs)
        if json {
            for line in lines {
                let fields: [String: Any] = [
                    "case": "streaming", "subject": line.subject, "streams": line.streams, "count": line.count,
                    "token_interval_ms": tokenIntervalMs, "tokens": tokens,
                    "first_token_p50_ms": line.firstToken.percentile(50) ?? 0, "first_token_p99_ms": line.firstToken.percentile(99) ?? 0,
                    "inter_token_p50_ms": line.betweenTokens.percentile(50) ?? 0, "inter_token_p99_ms": line.betweenTokens.percentile(99) ?? 0,
                ]
                let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
                Swift.print(String(decoding: data ?? Data(), as: UTF8.self))
            }
            return
        }
        Swift.print("streaming: \(tokens) tokens per stream at \(tokenIntervalMs) ms a token; two workers, one gateway, 3 embedded brokers")
        Swift.print("subject        streams  count  first token p50/p99 ms   between tokens p50/p99 ms   p50 over the model's pace")
        for line in lines {
            let first = "\(format(line.firstToken.percentile(50)))/\(format(line.firstToken.percentile(99)))"
            let between = "\(format(line.betweenTokens.percentile(50)))/\(format(line.betweenTokens.percentile(99)))"
            let over = (line.betweenTokens.percentile(50) ?? pace) - pace
            Swift.print(
                line.subject.padding(toLength: 15, withPad: " ", startingAt: 0)
                    + String(line.streams).leftPadded(7) + String(line.count).leftPadded(7)
                    + first.leftPadded(25) + between.leftPadded(28) + format(over).leftPadded(27)
            )
        }
    }

    private func format(_ value: Double?) -> String {
        value.map { String(format: "%.1f", $0) } ?? "-"
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
