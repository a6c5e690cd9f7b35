import ArgumentParser

extension Kinfer {
    /// `kinfer dlq`: inspect and replay dead letters.
    struct DLQ: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dlq",
            abstract: "Inspect and replay the dead-letter topic.",
            subcommands: [List.self, Replay.self]
        )
    }
}
