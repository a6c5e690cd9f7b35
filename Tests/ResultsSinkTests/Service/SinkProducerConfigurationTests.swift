import Kafka
import Testing

@testable import ResultsSink

@Suite("Sink: the dead-letter producer's configuration")
struct SinkProducerConfigurationTests {
    /// A dead letter is a result kept aside; losing it to a broker failure loses the result. The sink's producer is
    /// therefore durable like the worker's.
    @Test("acks=all and idempotence unless the caller sets them")
    func durableByDefault() {
        let given = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"])
        let properties = Self.lines(ResultsSink.makeProducerConfiguration(given))
        #expect(properties.contains("acks=all"))
        #expect(properties.contains("enable.idempotence=true"))
    }

    @Test("What the caller sets wins")
    func explicitSettingsWin() {
        var given = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"])
        given.acks = .leader
        given.idempotence = false
        let properties = Self.lines(ResultsSink.makeProducerConfiguration(given))
        #expect(properties.contains("acks=1"))
        #expect(properties.contains("enable.idempotence=false"))
        #expect(!properties.contains("acks=all"))
    }

    private static func lines(_ configuration: KafkaConfiguration) -> [String] {
        configuration.librdkafkaProperties.map { "\($0.name)=\($0.value)" }
    }
}
