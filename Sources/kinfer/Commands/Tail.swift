import ArgumentParser
import Foundation
import InferenceJobs
import Kafka
import KinferApp

extension Kinfer {
    /// `kinfer tail`: follows the results topic, or the stream topic.
    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow the results topic, printing one line per result (or, with --stream, the stream topic's tokens).",
            discussion: "Reads every partition directly, without joining a group or committing; stop it with Ctrl-C or --count."
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @Flag(help: "Start from the oldest retained result instead of only new ones.")
        var fromBeginning = false

        @Flag(help: "Print each result as the contract's JSON instead of a summary line.")
        var json = false

        @Flag(help: "Follow the stream topic instead: one line per record, the job ID, the run, the first token's index and the tokens.")
        var stream = false

        @Option(help: ArgumentHelp("Exit after printing this many results (or stream records).", valueName: "n"))
        var count: Int?

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func validate() throws {
            if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        }

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            topics.apply(to: &flags)
            let settings = try common.settings(flags)
            let reader = TopicReader(configuration: try settings.kafkaConfiguration(), topic: stream ? settings.topics.stream : settings.topics.results)
            var printed = 0
            try await reader.follow(fromBeginning: fromBeginning) { message in
                if stream {
                    print(chunkOf: message)
                } else {
                    do throws(JobDecodingError) {
                        let result = try JobCodec.decodeResult(message.value)
                        Terminal.output(json ? ResultText.json(result) : ResultText.line(result))
                    } catch {
                        Terminal.diagnostic("kinfer: \(message.topic)[\(message.partition)]@\(message.offset): not a result (\(error.description))")
                    }
                }
                printed += 1
                return count.map { printed < $0 } ?? true
            }
        }

        private func print(chunkOf message: KafkaConsumerMessage) {
            do {
                let chunk = try JobCodec.decodeStreamChunk(message.value)
                if json {
                    Terminal.output(String(decoding: JobCodec.encode(chunk), as: UTF8.self))
                } else {
                    Terminal.output("\(chunk.jobID) run=\(chunk.run) index=\(chunk.index) \(JSONText.quoted(chunk.tokens.joined()))")
                }
            } catch {
                Terminal.diagnostic("kinfer: \(message.topic)[\(message.partition)]@\(message.offset): not a stream record (\(error.description))")
            }
        }
    }
}
