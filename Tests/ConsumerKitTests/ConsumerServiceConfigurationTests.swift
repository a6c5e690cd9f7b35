import ConsumerKit
import Kafka
import Testing

@Suite("A consumer service's group settings")
struct ConsumerServiceConfigurationTests {
    @Test("Auto-commit is off even when set on, and a new group starts from the earliest message")
    func defaults() {
        var configuration = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"])
        configuration.properties["enable.auto.commit"] = "true"
        let service = configuration.forConsumerService()
        #expect(service.properties["enable.auto.commit"] == "false")
        #expect(service.autoOffsetReset == .earliest)
    }

    @Test("A start position set by the operator, typed or as a property, is kept")
    func operatorsStartPositionWins() {
        var typed = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"])
        typed.autoOffsetReset = .latest
        #expect(typed.forConsumerService().autoOffsetReset == .latest)

        var property = KafkaConfiguration(bootstrapServers: ["127.0.0.1:9092"])
        property.properties["auto.offset.reset"] = "latest"
        let service = property.forConsumerService()
        #expect(service.autoOffsetReset == nil)
        #expect(service.properties["auto.offset.reset"] == "latest")
    }
}
