import Foundation
import KinferTestSupport
import Testing

@Suite("kinfer bad input: one clear line on stderr, non-zero exit, no trace")
struct BadInputTests {
    /// A port nothing listens on: connections are refused at once.
    static let deadBroker = "127.0.0.1:1"

    static let cases: [(name: String, arguments: [String], mentions: String)] = [
        ("unknown flag", ["worker", "--no-such-flag"], "--no-such-flag"),
        ("unknown subcommand", ["frobnicate"], "frobnicate"),
        ("bad number", ["worker", "--max-batch-size", "many"], "max-batch-size"),
        ("bad model", ["worker", "--bootstrap-servers", deadBroker, "--model", "gpt"], "gpt"),
        ("bad model in a list", ["worker", "--bootstrap-servers", deadBroker, "--model", "digits,gpt"], "gpt"),
        ("a model twice", ["worker", "--bootstrap-servers", deadBroker, "--model", "digits,digits"], "distinct"),
        ("prompt options without a prompt", ["submit", "--bootstrap-servers", deadBroker, "--features", "1", "--stream"], "--prompt"),
        ("bad max tokens", ["submit", "--bootstrap-servers", deadBroker, "--prompt", "hi", "--max-tokens", "0"], "--max-tokens"),
        ("bad model URL", ["worker", "--bootstrap-servers", deadBroker, "--model-url", "http://127.0.0.1:1/models/digits"], "/v2/models/NAME"),
        ("bad model timeout", ["worker", "--bootstrap-servers", deadBroker, "--model-url", "http://127.0.0.1:1/v2/models/digits", "--model-timeout-ms", "0"], "model-timeout-ms"),
        ("bad chat model URL", ["worker", "--bootstrap-servers", deadBroker, "--model-url", "ftp://127.0.0.1:1/v1/chat/completions"], "ftp://127.0.0.1:1/v1/chat/completions"),
        ("served model without a chat URL", ["worker", "--bootstrap-servers", deadBroker, "--model-name", "qwen"], "--model-name"),
        ("served model with an Open Inference URL", ["worker", "--bootstrap-servers", deadBroker, "--model-url", "http://127.0.0.1:1/v2/models/digits", "--model-name", "qwen"], "--model-name"),
        ("bad token count", ["worker", "--bootstrap-servers", deadBroker, "--model", "generator", "--token-count", "0"], "--token-count"),
        ("bad token interval", ["worker", "--bootstrap-servers", deadBroker, "--model", "generator", "--token-interval-ms=-5"], "--token-interval-ms"),
        ("no brokers", ["submit", "--features", "1,2,3"], "--bootstrap-servers"),
        ("bad features", ["submit", "--bootstrap-servers", deadBroker, "--features", "1,x,3"], "not a number"),
        ("missing features file", ["submit", "--bootstrap-servers", deadBroker, "--features-file", "/nonexistent/f.txt"], "/nonexistent/f.txt"),
        ("missing jobs file", ["submit", "--bootstrap-servers", deadBroker, "--file", "/nonexistent/jobs.jsonl"], "/nonexistent/jobs.jsonl"),
        ("two job sources", ["submit", "--features", "1", "--file", "-"], "exactly one"),
        ("missing config file", ["config", "--config", "/nonexistent/kinfer.json"], "/nonexistent/kinfer.json"),
        ("bad kafka property", ["config", "--kafka-property", "novalue"], "name=value"),
        ("unknown kafka property", ["lag", "--bootstrap-servers", deadBroker, "--kafka-property", "no.such.property=1"], "no.such.property"),
        ("unreachable broker: worker", ["worker", "--bootstrap-servers", deadBroker], deadBroker),
        ("unreachable broker: submit", ["submit", "--bootstrap-servers", deadBroker, "--features", "1,2"], deadBroker),
        ("unreachable broker: tail", ["tail", "--bootstrap-servers", deadBroker], deadBroker),
        ("unreachable broker: lag", ["lag", "--bootstrap-servers", deadBroker], deadBroker),
        ("unreachable broker: topics create", ["topics", "create", "--bootstrap-servers", deadBroker], deadBroker),
        ("unreachable broker: dlq list", ["dlq", "list", "--bootstrap-servers", deadBroker], deadBroker),
        ("unreachable broker: dlq replay", ["dlq", "replay", "--bootstrap-servers", deadBroker], deadBroker),
        ("bad --since", ["dlq", "list", "--since", "yesterday"], "--since"),
        ("missing sqlite database", ["status", "some-job", "--database", "sqlite:///nonexistent/dir/results.db"], "/nonexistent/dir/results.db"),
        ("unreachable postgres", ["status", "some-job", "--database", "postgres://kinfer:pw-5f3a9c@127.0.0.1:1/kinfer?connect_timeout=2"], "127.0.0.1"),
        ("bad database scheme", ["status", "some-job", "--database", "mysql://db/x"], "mysql"),
        ("notifier: bad retry delays", ["notifier", "--retry-delays", "5s,soon"], "--retry-delays"),
        ("notifier: no webhook secret", ["notifier", "--bootstrap-servers", deadBroker], "KINFER_WEBHOOK_SECRET"),
        ("notifier: bad callback range", ["notifier", "--callback-allow-cidr", "10.0.0.0/33"], "--callback-allow-cidr"),
        ("broker: bad bootstrap file", ["broker", "--brokers", "1", "--bootstrap-file", "/nonexistent/dir/bs.txt"], "/nonexistent/dir/bs.txt"),
    ]

    /// Every case runs as its own process, six at a time: most of them wait on a refused connection, not the CPU.
    @Test("Each bad input: exit non-zero within seconds with one line naming what is wrong")
    func badInput() async throws {
        let results = try await withThrowingTaskGroup(of: (Int, ChildProcessResult, Duration).self) { group in
            var results: [(Int, ChildProcessResult, Duration)] = []
            for index in Self.cases.indices {
                if index >= 6, let finished = try await group.next() { results.append(finished) }
                group.addTask {
                    let started = ContinuousClock.now
                    let result = try await KinferBinary.run(Self.cases[index].arguments, timeout: .seconds(30))
                    return (index, result, ContinuousClock.now - started)
                }
            }
            for try await finished in group { results.append(finished) }
            return results.sorted { $0.0 < $1.0 }
        }
        #expect(results.count == Self.cases.count)
        for (index, result, elapsed) in results {
            Self.check(Self.cases[index], result, elapsed)
        }
    }

    private static func check(_ badCase: (name: String, arguments: [String], mentions: String), _ result: ChildProcessResult, _ elapsed: Duration) {
        let (name, _, mentions) = badCase
        #expect(result.termination != .exited(0), "\(name): \(result)")
        guard case .exited = result.termination else {
            Issue.record("\(name): crashed: \(result)")
            return
        }
        #expect(result.errorLines.count == 1, "\(name): one line on stderr, got:\n\(result.standardErrorText)")
        #expect(result.standardErrorText.contains(mentions), "\(name): says what is wrong (\(mentions)):\n\(result.standardErrorText)")
        #expect(!result.standardErrorText.contains("Fatal error"), "\(name)")
        #expect(!result.standardErrorText.contains("Stack dump"), "\(name)")
        #expect(elapsed < .seconds(15), "\(name): failed within seconds, took \(elapsed)")
        // Passwords in database URLs are never repeated.
        #expect(!result.standardErrorText.contains("pw-5f3a9c"), "\(name)")
    }
}
