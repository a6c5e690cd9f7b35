import ArgumentParser

/// `kinfer-bench CASE`: measures kinfer's Swift Kafka client against minimal C loops over the same
/// librdkafka, on an embedded 3-broker cluster, in the same run.
///
/// Adding a case: a new file with an `AsyncParsableCommand` that takes `@OptionGroup var options: BenchOptions`
/// and prints a ``BenchmarkReport``, plus its type in `subcommands` below.
@main
struct KinferBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinfer-bench",
        abstract: "Benchmarks kinfer's Kafka client against minimal C loops over the same librdkafka.",
        subcommands: [
            ProducerBench.self,
            ConsumerBench.self,
            WorkerBaselineBench.self,
            WorkerBench.self,
            SinkBench.self,
            ModelServerBench.self,
            CodecBench.self,
            GatewayBench.self,
            StreamingBench.self,
        ]
    )
}
