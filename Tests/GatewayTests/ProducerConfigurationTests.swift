@testable import Gateway
import Kafka
import Testing

/// The gateway's producer: durable, bounded by the produce timeout, lingering as librdkafka does unless told
/// otherwise; what the operator sets wins.
@Suite("Gateway producer configuration")
struct ProducerConfigurationTests {
    func configuration(_ kafka: KafkaConfiguration) -> GatewayConfiguration {
        var options = GatewayConfiguration.Options()
        options.produceTimeout = .milliseconds(2_500)
        return GatewayConfiguration(kafka: kafka, authentication: .open, models: .unchecked, options: options)
    }

    func properties(_ kafka: KafkaConfiguration) -> [String: String] {
        Dictionary(Gateway.producerConfiguration(self.configuration(kafka)).librdkafkaProperties, uniquingKeysWith: { _, last in last })
    }

    @Test func defaultsAreDurableAndLingerAsLibrdkafkaDoes() {
        let set = self.properties(KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"]))
        #expect(set["acks"] == "all")
        #expect(set["enable.idempotence"] == "true")
        #expect(set["message.timeout.ms"] == "2500")
        #expect(set["linger.ms"] == nil)
    }

    @Test func theOperatorsLingerWins() {
        var typed = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"])
        typed.linger = .milliseconds(20)
        #expect(self.properties(typed)["linger.ms"] == "20")
        let passedThrough = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"], properties: ["linger.ms": "7"])
        #expect(self.properties(passedThrough)["linger.ms"] == "7")
    }
}
