import ConsumerKit
import Kafka
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import ServiceOperations

/// The metrics of this process: `MetricsSystem` bootstrapped, on first use, with a Prometheus factory over
/// ``registry``. Bootstrapping can happen only once per process, hence one lazily made value.
enum ProcessMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory.kinfer(registry: registry))
        return registry
    }()
}

/// The operational services that run beside `kinfer worker` and `kinfer sink` in their `ServiceGroup`: the HTTP
/// server (`/metrics`, `/healthz`, `/readyz`), the readiness monitor behind `/readyz` and `kinfer_ready`, and the
/// lag reporter. Port `0` turns all of them off (`kinfer demo` runs its workers so, to keep them from clashing).
enum OperationsEndpoint {
    /// - Parameters:
    ///   - service: `worker`, `sink` or `notifier`: the `service` label of `kinfer_ready`.
    ///   - topics: The topics the service checks for at start; the broker check keeps requiring them.
    ///   - checks: The service's own conditions besides the broker and group membership (the sink's database).
    static func services(
        service: String,
        port: Int,
        kafka: KafkaConfiguration,
        member: some ConsumerGroupMember,
        topics: [String],
        checks: [ReadinessCheck] = [],
        logger: Logger
    ) throws(KafkaError) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        guard port != 0 else { return [] }
        let admin = try KafkaAdmin(configuration: kafka, logger: logger)
        let readiness = ReadinessMonitor(
            service: service,
            checks: [.broker(admin, topics: topics), .groupMembership(member)] + checks,
            logger: logger
        )
        let server = OperationsServer(
            configuration: .init(port: port), registry: ProcessMetrics.registry, readiness: readiness, logger: logger
        )
        // Listed first so that they stop last: shutdown runs in reverse order, and probes keep an answer
        // while the service drains.
        return [
            .init(service: server),
            .init(service: readiness),
            .init(service: ConsumerLagReporter(admin: admin, member: member, logger: logger)),
        ]
    }
}
