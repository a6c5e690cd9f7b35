import Foundation
import Kafka

/// `kinfer dlq replay`: the matching dead letters, read and made first attempts again, then sent onto the jobs topic
/// (or, for given-up callbacks, onto the callbacks retry topic).
///
/// Two steps, so that the command can report the read (and a dry run) before anything is sent.
public struct DeadLetterReplay: Sendable {
    /// Where the replayed messages go.
    public let target: String
    /// A read of the dead-letter topic that gave up before its end, if it did.
    public let incompleteRead: TopicReader.IncompleteRead?
    private let messages: [KafkaProducerMessage]
    private let kafka: KafkaConfiguration

    /// How many dead letters would be replayed.
    public var count: Int { messages.count }

    /// Reads the dead-letter topic to its current end and keeps what `selection` matches. `callbacks` (or a
    /// `--dlq-topic` naming the callbacks dead-letter topic) replays given-up callbacks.
    public init(settings: KinferSettings, selection: DeadLetterSelection, callbacks: Bool) async throws {
        let kafka = try settings.kafkaConfiguration()
        let names = settings.topics
        let isCallback = callbacks || names.deadLetter == names.callbacksDeadLetter
        let target = isCallback ? names.callbacksRetry : names.jobs
        try await KafkaProbe.requireTopics(kafka, [target])
        let reader = TopicReader(configuration: kafka, topic: isCallback ? names.callbacksDeadLetter : names.deadLetter)
        let now = Date()
        var messages: [KafkaProducerMessage] = []
        incompleteRead = try await reader.readToEnd { message in
            let letter = DeadLetter(message: message)
            if selection.matches(letter) { messages.append(letter.replay(onto: target, at: now, isCallback: isCallback)) }
        }
        self.kafka = kafka
        self.target = target
        self.messages = messages
    }

    /// Sends them, in order, each acknowledged by the brokers; stops at the first failure. Returns how many were
    /// sent, and the failure that stopped it.
    public func send() async throws -> (replayed: Int, failure: CLIError?) {
        var producerConfiguration = kafka
        producerConfiguration.acks = .all
        producerConfiguration.idempotence = true
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: CLILogging.silent)
        var replayed = 0
        var failure: KafkaError?
        for message in messages {
            do {
                _ = try await producer.send(message)
                replayed += 1
            } catch {
                failure = error
                break
            }
        }
        await producer.close()
        return (replayed, failure.map { CLIError("replay stopped after \(replayed) of \(messages.count): \($0.message)", hint: "run it again with --since to replay the rest") })
    }
}
