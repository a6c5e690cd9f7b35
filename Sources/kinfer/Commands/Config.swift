import ArgumentParser
import KinferApp

extension Kinfer {
    /// `kinfer config`: the settings a command would run with, secrets masked.
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective configuration, with secrets masked.",
            discussion: """
                Shows what flags, KINFER_* variables, the config file and defaults add up to: Kafka properties \
                (passwords and secrets as *****), topics, groups, the results database (password masked), the \
                gateway's API key hashes, whether a webhook secret and a model API key are set, and the worker's settings. Accepts \
                every flag the worker does. Needs no broker.
                """
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @Option(help: ArgumentHelp("The results database URL. Also KINFER_DATABASE_URL.", valueName: "url"))
        var database: String?

        @Flag(help: "Show where each value comes from (flag, environment, config file, default).")
        var showOrigin = false

        @OptionGroup(title: "Worker")
        var worker: WorkerOptions

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            worker.apply(to: &flags)
            topics.apply(to: &flags)
            flags.set(.databaseURL, database)
            let settings = try common.settings(flags)
            for line in EffectiveSettings.lines(settings) {
                switch line {
                case .heading(let heading): Terminal.output(heading)
                case .setting(let setting, let origin): Terminal.output(showOrigin ? "\(setting)    # \(origin)" : setting)
                }
            }
            try EffectiveSettings.checkAsWorker(settings)  // report a bad value the worker would refuse
        }
    }
}
