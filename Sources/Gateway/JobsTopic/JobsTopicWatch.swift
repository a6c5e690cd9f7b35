import Kafka
import Logging
import Synchronization

/// The workers' group lag on the jobs topic, read every ``interval`` off the request path, so that admitting a job
/// costs a lock, not a broker round trip.
///
/// A reading that fails leaves the lag unknown (`nil`): the gateway then admits jobs without an estimate rather
/// than refusing them on a stale number. The last reading is at most one interval (plus the admin call) old, so a
/// burst inside one interval can pass `--max-backlog` by what it submits in that time.
final class BacklogWatch: Sendable {
    private let admin: KafkaAdmin
    private let group: String
    private let topic: String
    private let interval: Duration
    private let logger: Logger
    private let reading = Mutex<Int?>(nil)

    init(kafka: KafkaConfiguration, group: String, topic: String, interval: Duration, logger: Logger) throws(KafkaError) {
        var configuration = kafka
        configuration.acks = nil
        configuration.idempotence = nil
        configuration.properties.removeValue(forKey: "message.timeout.ms")
        self.admin = try KafkaAdmin(configuration: configuration, logger: logger)
        self.group = group
        self.topic = topic
        self.interval = interval
        self.logger = logger
    }

    /// The lag at the last reading, or `nil` while unknown.
    var lag: Int? { self.reading.withLock { $0 } }

    /// Reads the lag now.
    func refresh() async {
        do {
            let lags = try await self.admin.consumerLag(group: self.group, topics: [self.topic], timeout: .seconds(5))
            let total = lags.reduce(Int64(0)) { $0 + $1.lag }
            self.reading.withLock { $0 = Int(clamping: total) }
        } catch {
            self.logger.debug("could not read the workers' lag", metadata: ["group": "\(self.group)", "error": "\(error)"])
            self.reading.withLock { $0 = nil }
        }
    }

    /// Reads the lag every interval until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            await self.refresh()
            do {
                try await Task.sleep(for: self.interval)
            } catch {
                return
            }
        }
    }
}
