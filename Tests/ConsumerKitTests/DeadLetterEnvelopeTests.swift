import ConsumerKit
import InferenceJobs
import Kafka
import Testing

@Suite struct DeadLetterEnvelopeTests {
    let key = Array("job-1".utf8)
    let value = Array(#"{"job_id":"job-1"}"#.utf8)

    func read(from topic: String, partition: Int32 = 3, offset: Int64 = 17, headers: [KafkaHeader]) -> KafkaConsumerMessage {
        KafkaConsumerMessage(topic: topic, partition: partition, offset: offset, key: key, value: value, headers: headers)
    }

    @Test func aFirstDeadLetterNamesWhereItWasReadAndWhy() {
        let source = read(from: "inference-results", headers: [KafkaHeader(key: "trace", string: "abc")])
        let letter = DeadLetterEnvelope.message(for: source, to: "inference-results.dlq", errorClass: "poison", reason: "not JSON")
        #expect(letter.topic == "inference-results.dlq")
        #expect(letter.key == key && letter.value == value, "key and value unchanged")
        #expect(letter.headers == [
            KafkaHeader(key: "trace", string: "abc"),
            KafkaHeader(key: JobHeaders.originalTopic, string: "inference-results"),
            KafkaHeader(key: JobHeaders.originalPartition, string: "3"),
            KafkaHeader(key: JobHeaders.originalOffset, string: "17"),
            KafkaHeader(key: JobHeaders.errorClass, string: "poison"),
            KafkaHeader(key: JobHeaders.errorMessage, string: "not JSON"),
        ])
    }

    @Test func aRetriedMessageKeepsItsFirstOriginAndOnlyTheNewestReason() {
        // As a retry topic holds it: the origin its first retry recorded, and that retry's reason and state.
        let retried = read(from: "inference-jobs.retry", partition: 0, offset: 5, headers: [
            KafkaHeader(key: JobHeaders.originalTopic, string: "inference-jobs"),
            KafkaHeader(key: JobHeaders.originalPartition, string: "2"),
            KafkaHeader(key: JobHeaders.originalOffset, string: "40"),
            KafkaHeader(key: JobHeaders.attempt, string: "3"),
            KafkaHeader(key: JobHeaders.errorClass, string: "retryable"),
            KafkaHeader(key: JobHeaders.errorMessage, string: "timed out"),
        ])
        let letter = DeadLetterEnvelope.message(
            for: retried, to: "inference-jobs.dlq", errorClass: "fatal", reason: "attempts exhausted",
            rewritten: [JobHeaders.attempt], extra: [KafkaHeader(key: JobHeaders.attempt, string: "3")]
        )
        #expect(letter.headers.first(JobHeaders.originalTopic) == "inference-jobs")
        #expect(letter.headers.first(JobHeaders.originalPartition) == "2")
        #expect(letter.headers.first(JobHeaders.originalOffset) == "40")
        for name in [JobHeaders.errorClass, JobHeaders.errorMessage, JobHeaders.attempt, JobHeaders.originalTopic] {
            #expect(letter.headers.filter { $0.key == name }.count == 1, "one \(name)")
        }
        #expect(letter.headers.first(JobHeaders.errorMessage) == "attempts exhausted")
    }

    @Test func aPartialOriginIsReplacedWhole() {
        let source = read(from: "inference-results", headers: [KafkaHeader(key: JobHeaders.originalOffset, string: "999")])
        let headers = DeadLetterEnvelope.carriedHeaders(of: source, rewriting: [])
        #expect(headers.filter { $0.key == JobHeaders.originalOffset }.map(\.stringValue) == ["17"])
    }
}
