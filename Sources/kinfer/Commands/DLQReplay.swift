import ArgumentParser
import Foundation
import Kafka

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
            let kafka = try settings.kafkaConfiguration()
            let names = settings.topics
            let isCallback = callbacks || names.deadLetter == names.callbacksDeadLetter
            let jobsTopic = isCallback ? names.callbacksRetry : names.jobs
            try await KafkaProbe.requireTopics(kafka, [jobsTopic])
            let reader = TopicReader(configuration: kafka, topic: isCallback ? names.callbacksDeadLetter : names.deadLetter)
            let now = Date()
            var replays: [KafkaProducerMessage] = []
            try await reader.readToEnd { message in
                let letter = DeadLetter(message: message)
                if filter.matches(letter, now: now) { replays.append(letter.replay(onto: jobsTopic, at: now, isCallback: isCallback)) }
            }
            if dryRun {
                Terminal.output("would replay \(replays.count) dead letter\(replays.count == 1 ? "" : "s") onto \(jobsTopic)")
                return
            }
            var producerConfiguration = kafka
            producerConfiguration.acks = .all
            producerConfiguration.idempotence = true
            let producer = try KafkaProducer(configuration: producerConfiguration, logger: CLILogging.silent)
            var replayed = 0
            var failure: KafkaError?
            for message in replays {
                do {
                    _ = try await producer.send(message)
                    replayed += 1
                } catch {
                    failure = error
                    break
                }
            }
            await producer.close()
            Terminal.output("replayed \(replayed) dead letter\(replayed == 1 ? "" : "s") onto \(jobsTopic)")
            if let failure {
                throw CLIError("replay stopped after \(replayed) of \(replays.count): \(failure.message)", hint: "run it again with --since to replay the rest")
            }
        }
    }
}
