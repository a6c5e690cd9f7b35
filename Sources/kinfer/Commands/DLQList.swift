import ArgumentParser
import Foundation
import KinferApp

extension Kinfer.DLQ {
    /// `kinfer dlq list`: the dead letters, oldest first per partition.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print dead letters: time, error class, original topic[partition]@offset, job ID and message.",
            discussion: "Reads the dead-letter topic from its beginning to its current end; nothing is consumed or committed."
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @OptionGroup(title: "Filters")
        var filter: DeadLetterFilter

        @Flag(help: "Print each dead letter as a JSON line.")
        var json = false

        @Flag(help: "List given-up callbacks (the callbacks dead-letter topic) instead of jobs.")
        var callbacks = false

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            topics.apply(to: &flags)
            let settings = try common.settings(flags)
            let topic = callbacks ? settings.topics.callbacksDeadLetter : settings.topics.deadLetter
            let reader = TopicReader(configuration: try settings.kafkaConfiguration(), topic: topic)
            let selection = filter.selection(now: Date())
            var shown = 0
            let incomplete = try await reader.readToEnd { message in
                let letter = DeadLetter(message: message)
                guard selection.matches(letter) else { return }
                Terminal.output(json ? DeadLetterText.json(letter) : DeadLetterText.line(letter))
                shown += 1
            }
            if let incomplete { Terminal.report(incomplete) }
            if !json { Terminal.diagnostic("\(shown) dead letter\(shown == 1 ? "" : "s")") }
        }
    }
}
