import ArgumentParser
import KinferApp

/// The pipeline's topic names, for commands that read or write them.
struct TopicOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The jobs topic. Defaults to inference-jobs; also KINFER_JOBS_TOPIC.", valueName: "topic"))
    var jobsTopic: String?

    @Option(help: ArgumentHelp("The results topic. Defaults to inference-results; also KINFER_RESULTS_TOPIC.", valueName: "topic"))
    var resultsTopic: String?

    @Option(help: ArgumentHelp("The retry topic. Defaults to inference-jobs.retry; also KINFER_RETRY_TOPIC.", valueName: "topic"))
    var retryTopic: String?

    @Option(help: ArgumentHelp("The dead-letter topic. Defaults to inference-jobs.dlq; also KINFER_DLQ_TOPIC.", valueName: "topic"))
    var dlqTopic: String?

    @Option(help: ArgumentHelp("The results dead-letter topic, where the sink sends what it cannot store. Defaults to inference-results.dlq; also KINFER_RESULTS_DLQ_TOPIC.", valueName: "topic"))
    var resultsDlqTopic: String?

    /// Adds the given topic names to the flag layer.
    func apply(to layer: inout SettingsLayer) {
        layer.set(.jobsTopic, jobsTopic)
        layer.set(.resultsTopic, resultsTopic)
        layer.set(.retryTopic, retryTopic)
        layer.set(.dlqTopic, dlqTopic)
        layer.set(.resultsDLQTopic, resultsDlqTopic)
    }
}
