import ArgumentParser
import Foundation
import KinferApp

extension Kinfer {
    /// `kinfer lag`: a consumer group's lag per partition and in total.
    struct Lag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a consumer group's lag per partition and in total.",
            discussion: "Lag is each partition's high watermark minus the group's committed offset (everything retained when it has none)."
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @Option(help: ArgumentHelp("The consumer group. Defaults to kinfer-workers; also KINFER_GROUP.", valueName: "group"))
        var group: String?

        @Option(name: .customLong("topic"), help: ArgumentHelp(
            "A topic to measure (repeatable). Defaults to the jobs and retry topics, which the worker group reads.", valueName: "topic"
        ))
        var measuredTopics: [String] = []

        @Flag(help: "Print JSON: {\"group\", \"total_lag\", \"partitions\": [...]}.")
        var json = false

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            topics.apply(to: &flags)
            flags.set(.group, group)
            let settings = try common.settings(flags)
            let measured = try await GroupLag(settings: settings, topics: measuredTopics)
            let group = measured.group, lags = measured.partitions, total = measured.total
            if json {
                let partitions = lags.map { lag in
                    JSONText.object([
                        ("topic", JSONText.quoted(lag.partition.topic)), ("partition", "\(lag.partition.partition)"),
                        ("committed", lag.committed.map(String.init) ?? "null"), ("low", "\(lag.lowWatermark)"),
                        ("high", "\(lag.highWatermark)"), ("lag", "\(lag.lag)"),
                    ])
                }
                Terminal.output(JSONText.object([
                    ("group", JSONText.quoted(group)), ("total_lag", "\(total)"), ("partitions", "[" + partitions.joined(separator: ",") + "]"),
                ]))
                return
            }
            let width = max(5, lags.map(\.partition.topic.count).max() ?? 0)
            func row(_ columns: [String]) -> String {
                columns[0].padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + columns[1...].map { String(repeating: " ", count: max(0, 10 - $0.count)) + $0 }.joined(separator: "  ")
            }
            Terminal.output("group \(group)")
            Terminal.output(row(["TOPIC", "PARTITION", "COMMITTED", "HIGH", "LAG"]))
            for lag in lags {
                Terminal.output(row([lag.partition.topic, "\(lag.partition.partition)", lag.committed.map(String.init) ?? "-", "\(lag.highWatermark)", "\(lag.lag)"]))
            }
            Terminal.output("total lag \(total)")
        }
    }
}
