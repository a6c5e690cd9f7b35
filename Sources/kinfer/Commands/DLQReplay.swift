import ArgumentParser
import Foundation
import KinferApp

extension Kinfer.DLQ {
    /// `kinfer dlq replay`: matching dead letters back onto the jobs topic (or callbacks onto the notifier's retry
    /// topic), as first attempts.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay matching dead letters onto the jobs topic with the attempt count reset to 1.",
            discussion: """
                Each replayed job keeps its key, value (attempt set to 1 when it decodes as a job; the raw bytes \
                otherwise) and headers, without the dead-letter headers, plus kinfer-attempt: 1 and \
                kinfer-replayed-at. The dead-letter topic is not changed, so running replay twice replays twice: \
                narrow it with --since, --until and --error-class. With --callbacks (or --dlq-topic naming the \
                callbacks dead-letter topic), given-up callbacks go back onto the callbacks retry topic unchanged, \
                and the notifier delivers them again with a new retry schedule.
                """
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @OptionGroup(title: "Filters")
        var filter: DeadLetterFilter

        @Flag(help: "Only count what would be replayed.")
        var dryRun = false

        @Flag(help: "Replay given-up callbacks (the callbacks dead-letter topic) onto the callbacks retry topic.")
        var callbacks = false

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            topics.apply(to: &flags)
            let settings = try common.settings(flags)
            let replay = try await DeadLetterReplay(settings: settings, selection: filter.selection(now: Date()), callbacks: callbacks)
            if let incomplete = replay.incompleteRead { Terminal.report(incomplete) }
            if dryRun {
                Terminal.output("would replay \(replay.count) dead letter\(replay.count == 1 ? "" : "s") onto \(replay.target)")
                return
            }
            let (replayed, failure) = try await replay.send()
            Terminal.output("replayed \(replayed) dead letter\(replayed == 1 ? "" : "s") onto \(replay.target)")
            if let failure { throw failure }
        }
    }
}
