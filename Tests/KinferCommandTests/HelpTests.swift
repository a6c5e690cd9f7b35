import Testing

@Suite("kinfer --help")
struct HelpTests {
    /// Each subcommand and options its help must mention.
    static let commands: [(command: [String], options: [String])] = [
        (["broker"], ["--brokers", "--partitions", "--bootstrap-file", "--jobs-topic"]),
        (["worker"], [
            "--bootstrap-servers", "--group", "--http-port", "--model", "--max-batch-size", "--max-batch-delay-ms",
            "--max-in-flight", "--max-concurrent-batches", "--max-attempts", "--grace-period-seconds",
            "--simulated-latency-ms", "--simulated-failure-rate", "--worker-name", "--kafka-property", "--config",
            "--jobs-topic", "--results-topic", "--retry-topic", "--dlq-topic",
        ]),
        (["gateway"], [
            "--bootstrap-servers", "--database", "--port", "--host", "--http-port", "--api-key-hash", "--no-auth", "--model",
            "--default-model", "--no-model-check", "--produce-timeout-ms", "--max-body-bytes", "--jobs-topic",
        ]),
        (["submit"], ["--features", "--features-file", "--file", "--model", "--job-id", "--timeout-ms", "--bootstrap-servers"]),
        (["status"], ["--database", "--json"]),
        (["tail"], ["--from-beginning", "--json", "--count", "--results-topic"]),
        (["lag"], ["--group", "--json", "--topic"]),
        (["topics", "create"], ["--partitions", "--replication-factor", "--bootstrap-servers", "--results-dlq-topic"]),
        (["dlq", "list"], ["--error-class", "--since", "--until", "--json", "--dlq-topic"]),
        (["dlq", "replay"], ["--error-class", "--since", "--until", "--dry-run", "--jobs-topic"]),
        (["config"], ["--bootstrap-servers", "--kafka-property", "--database", "--show-origin", "--group"]),
    ]

    @Test("every subcommand's --help exits 0 and explains its options", arguments: commands.indices)
    func help(_ index: Int) async throws {
        let (command, options) = Self.commands[index]
        let result = try await KinferBinary.run(command + ["--help"], timeout: .seconds(30))
        #expect(result.succeeded, "\(result)")
        for option in options {
            #expect(result.standardOutputText.contains(option), "`kinfer \(command.joined(separator: " ")) --help` mentions \(option)")
        }
    }

    @Test("the root help lists every subcommand")
    func root() async throws {
        let result = try await KinferBinary.run(["--help"], timeout: .seconds(30))
        #expect(result.succeeded, "\(result)")
        for name in ["broker", "worker", "gateway", "submit", "status", "tail", "lag", "topics", "dlq", "config"] {
            #expect(result.standardOutputText.contains(name))
        }
    }
}
