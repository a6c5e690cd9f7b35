import ArgumentParser

extension Kinfer {
    /// `kinfer topics`: the pipeline's topics.
    struct Topics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the pipeline's topics.",
            subcommands: [Create.self]
        )
    }
}
