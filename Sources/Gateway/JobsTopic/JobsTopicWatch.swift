import AsyncWaiting
import Kafka
import Logging
import Synchronization

/// Reads the jobs topic's offsets off the request path: every ``interval`` for the workers' lag (back-pressure and
/// the estimated wait, at the cost of a lock per request), and at once, then every ``catchUpInterval``, while a
/// look-up waits for the pending-job recorder (``waitForRecorder(timeout:)``).
///
/// A reading that fails leaves the lag unknown (`nil`): the gateway then admits jobs without an estimate rather
/// than refusing them on a stale number. The last reading is at most one interval (plus the admin calls) old, so a
/// burst inside one interval can pass `--max-backlog` by what it submits in that time. Look-ups that wait at the
/// same time share the readings, so a stream of unknown job IDs costs the brokers one reading per catch-up interval.
final class JobsTopicWatch: Sendable {
    private let admin: KafkaAdmin
    private let topic: String
    private let workersGroup: String?
    /// The pending-job recorder's group, or `nil` when the gateway writes its own pending rows.
    let recorderGroup: String?
    private let interval: Duration
    private let catchUpInterval: Duration
    private let logger: Logger

    /// The latest reading; its waiters are look-ups waiting for the next one.
    private let readings = WaiterQueue<JobsTopicReading?, JobsTopicReading>(nil)
    /// Whether a look-up asked for a reading now; its waiter is the loop, between readings.
    private let readingRequested = WaiterQueue<Bool, Void>(false)
    private let roundsStarted = Atomic<UInt64>(0)
    private let lookUpsWaiting = Atomic<Int>(0)
    private let lastLag = Mutex<Int?>(nil)

    init(
        kafka: KafkaConfiguration, topic: String, workersGroup: String?, recorderGroup: String?,
        interval: Duration, catchUpInterval: Duration = .milliseconds(10), logger: Logger
    ) throws(KafkaError) {
        self.admin = try KafkaAdmin(configuration: kafka.withoutProducerSettings(), logger: logger)
        self.topic = topic
        self.workersGroup = workersGroup
        self.recorderGroup = recorderGroup
        self.interval = interval
        self.catchUpInterval = catchUpInterval
        self.logger = logger
    }

    /// The workers' lag at the last reading, or `nil` while unknown (or no workers' group is watched).
    var lag: Int? { self.lastLag.withLock { $0 } }

    /// Reads the offsets now.
    func refresh() async {
        let round = self.roundsStarted.add(1, ordering: .acquiringAndReleasing).newValue
        do {
            let reading = try await self.read(round: round)
            self.lastLag.withLock { $0 = self.workersGroup == nil ? nil : reading.workersLag }
            let waiting = self.readings.withLock { latest, waiters in
                latest = reading
                return waiters.takeAll()
            }
            for waiter in waiting { waiter.resume(reading) }
        } catch {
            self.logger.debug("could not read the jobs topic's offsets", metadata: ["topic": "\(self.topic)", "error": "\(error)"])
            self.lastLag.withLock { $0 = nil }
        }
    }

    /// Reads every interval, or every catch-up interval while a look-up waits, until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            await self.refresh()
            if self.lookUpsWaiting.load(ordering: .acquiring) > 0 {
                do { try await Task.sleep(for: self.catchUpInterval) } catch { return }
            } else {
                await self.waitForRequest(upTo: self.interval)
            }
        }
    }

    /// Waits until the recorder has recorded every job the broker acknowledged before the call (``RecorderCatchUp``);
    /// `false` when it has not within `timeout`, when the task is cancelled, or when no recorder group is watched.
    func waitForRecorder(timeout: Duration) async -> Bool {
        guard self.recorderGroup != nil else { return false }
        let lastRoundStarted = self.roundsStarted.load(ordering: .acquiring)
        self.lookUpsWaiting.add(1, ordering: .acquiringAndReleasing)
        defer { self.lookUpsWaiting.subtract(1, ordering: .acquiringAndReleasing) }
        self.readingRequested.withLock { requested, loop in
            requested = true
            return loop.takeFirst()
        }?.resume(())
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            group.addTask {
                var catchUp = RecorderCatchUp(lastRoundStarted: lastRoundStarted)
                while let reading = await self.readings.wait(orNow: { _ in nil }) {
                    if catchUp.observe(reading) { return true }
                }
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? false
        }
    }

    /// Sleeps up to `duration`, or until a look-up asks for a reading.
    private func waitForRequest(upTo duration: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask {
                _ = await self.readingRequested.wait { requested in
                    guard requested else { return nil }
                    requested = false
                    return ()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Watermarks first, then the groups' offsets: a committed offset read after a watermark can only have moved on.
    private func read(round: UInt64) async throws(KafkaError) -> JobsTopicReading {
        let described = try await self.admin.describeTopics([self.topic], timeout: .seconds(5))
        let ids = described.flatMap { topic in topic.partitions.map(\.id) }
        let partitions = ids.map { KafkaTopicPartition(topic: self.topic, partition: $0) }
        var reading = JobsTopicReading(round: round, partitions: [:])
        for (partition, marks) in try await self.admin.watermarks(of: partitions, timeout: .seconds(5)) {
            reading.partitions[partition.partition] = .init(low: marks.low, high: marks.high)
        }
        if let workersGroup, !partitions.isEmpty {
            for (partition, offset) in try await self.admin.committedOffsets(group: workersGroup, partitions: partitions, timeout: .seconds(5)) {
                reading.partitions[partition.partition]?.workersCommitted = offset
            }
        }
        if let recorderGroup, !partitions.isEmpty {
            for (partition, offset) in try await self.admin.committedOffsets(group: recorderGroup, partitions: partitions, timeout: .seconds(5)) {
                reading.partitions[partition.partition]?.recorderCommitted = offset
            }
        }
        return reading
    }
}
