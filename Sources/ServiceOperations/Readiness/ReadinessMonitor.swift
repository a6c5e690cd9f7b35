import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Runs a service's ``ReadinessCheck``s every `interval` and keeps the latest ``status``, which `/readyz` answers
/// with and `kinfer_ready{service}` exports.
///
/// Checking on a timer instead of on each request keeps probes cheap and bounded (a stopped database costs the
/// check its timeout, not every probe), and makes the gauge agree with `/readyz` even when nothing probes.
public final class ReadinessMonitor: Service, Sendable {
    private let checks: [ReadinessCheck]
    private let interval: Duration
    private let latest = Mutex(ReadinessStatus.starting)
    private let readyGauge: Gauge
    private let logger: Logger

    /// - Parameters:
    ///   - service: The value of the `service` label of `kinfer_ready`: `worker` or `sink`.
    ///   - checks: Every condition the service needs; all must hold.
    ///   - interval: Time between rounds. Defaults to `2` seconds.
    ///   - metricsFactory: Where `kinfer_ready` goes. Defaults to the bootstrapped `MetricsSystem.factory`.
    public init(
        service: String,
        checks: [ReadinessCheck],
        interval: Duration = .seconds(2),
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger = Logger(label: "kinfer.readiness")
    ) {
        self.checks = checks
        self.interval = interval
        self.logger = logger
        readyGauge = Gauge(label: "kinfer_ready", dimensions: [("service", service)], factory: metricsFactory)
        readyGauge.record(0)
    }

    /// The outcome of the latest round; ``ReadinessStatus/starting`` until the first has finished.
    public var status: ReadinessStatus {
        latest.withLock { $0 }
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.checkOnce()
                try await Task.sleep(for: self.interval)
            }
        }
        // Shutting down: no longer ready, so load balancers and the alert see it go.
        latest.withLock { $0 = ReadinessStatus(reasons: ["shutting down"]) }
        readyGauge.record(0)
    }

    /// Runs every check once, concurrently, and publishes the outcome.
    func checkOnce() async {
        let reasons = await withTaskGroup(of: (Int, String?).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask { (index, await check.check()) }
            }
            var answers = [String?](repeating: nil, count: checks.count)
            for await (index, reason) in group { answers[index] = reason }
            return answers.compactMap { $0 }
        }
        let status = ReadinessStatus(reasons: reasons)
        let previous = latest.withLock { latest in
            defer { latest = status }
            return latest
        }
        readyGauge.record(status.isReady ? 1 : 0)
        if status.isReady != previous.isReady {
            if status.isReady {
                logger.info("ready")
            } else {
                logger.warning("not ready", metadata: ["reasons": "\(reasons)"])
            }
        }
    }
}
