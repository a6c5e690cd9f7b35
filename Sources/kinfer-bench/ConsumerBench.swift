import ArgumentParser
import CKafkaBaselines
import EmbeddedKafka
import Kafka
import Foundation
import Synchronization

/// `consumer`: consume pre-produced messages in a consumer group, the Swift consumer (`messages`, one at a
/// time, and `batches(maxCount:)`) against a minimal C `rd_kafka_consume_batch_queue` loop.
///
/// Every subject reads the same pre-produced topic in a fresh group, timed from its first message to the
/// last (the group join is excluded alike), and checks that each partition's offsets arrive contiguously
/// from 0 and that it read exactly the number produced.
struct ConsumerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumer",
        abstract: "Swift consumer vs a minimal C consume_batch_queue loop."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "The Swift consumer's buffer capacity (KafkaConsumer.Options.bufferCapacity); default: the library's.")
    var bufferCapacity: Int?

    @Option(name: .customLong("property"), help: "A librdkafka consumer property name=value for every subject, C and Swift alike (repeatable).")
    var properties: [String] = []

    @Option(help: "Seconds without a message after which a subject fails.")
    var idleTimeout = 60

    func run() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: benchLogger)
        let topic = "bench-consumer-\(runID)"
        try cluster.createTopic(topic, partitions: options.partitions)
        try await Baseline.preProduce(cluster: cluster, topic: topic, count: options.messages, size: options.size)

        let subjects = options.subjects(of: ["c", "c-headers", "swift", "swift-batches"])
        var runs: [String: [SubjectRun]] = [:]
        for round in 1...options.rounds {
            let order = round % 2 == 1 ? subjects : subjects.reversed()
            for subject in order {
                let group = "bench-consumer-\(subject)-\(runID)-\(round)"
                var configuration = cluster.consumerConfiguration(group: group)
                for property in properties {
                    let parts = property.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { throw ValidationError("--property takes name=value, not \(property)") }
                    configuration.properties[parts[0]] = parts[1]
                }
                PeakRSS.reset()
                var run: SubjectRun
                switch subject {
                case "c": run = try await consumeC(cluster: cluster, configuration: configuration, topic: topic, group: group, readHeaders: false)
                case "c-headers": run = try await consumeC(cluster: cluster, configuration: configuration, topic: topic, group: group, readHeaders: true)
                case "swift": run = try await consumeSwift(configuration: configuration, topic: topic, batched: false)
                default: run = try await consumeSwift(configuration: configuration, topic: topic, batched: true)
                }
                run.peakRSS = PeakRSS.megabytes
                runs[subject, default: []].append(run)
            }
        }

        var report = BenchmarkReport()
        let c = runs["c"].map(SubjectRun.median)
        if let c { report.add(c.line(benchCase: "consumer", subject: "c", size: options.size, rounds: options.rounds)) }
        let cHeaders = runs["c-headers"].map(SubjectRun.median)
        for subject in subjects where subject != "c" {
            let run = SubjectRun.median(runs[subject]!)
            report.add(run.line(benchCase: "consumer", subject: subject, size: options.size, rounds: options.rounds, baseline: c.map { ("c", $0.rate) }))
            // The same work on both sides: the Swift consumer hands every message's headers to its reader.
            if subject.hasPrefix("swift"), let cHeaders {
                report.add(run.line(benchCase: "consumer", subject: subject, size: options.size, rounds: options.rounds, baseline: ("c-headers", cHeaders.rate)))
            }
        }
        report.notes = [
            "\(options.messages) pre-produced messages of \(options.size) B over \(options.partitions) partitions of one topic, read by each subject in a fresh group; embedded cluster of 3 brokers.",
            "Timed from the first message to the last (group join excluded for every subject); medians of \(options.rounds) round(s), order alternating.",
            "swift: `for try await message in consumer.messages`; swift-batches: `consumer.batches(maxCount: 1024)`; c: rd_kafka_consume_batch_queue, 1024 per call; c-headers: the same, reading each message's headers and timestamp as the Swift consumer does (librdkafka 2.0.2 allocates a header list per message, even an empty one).",
            "peak RSS is the whole process's high-water mark during the subject, embedded cluster (and the messages it stores) included.",
        ]
        report.print(json: options.json)
    }

    func consumeC(cluster: EmbeddedKafkaCluster, configuration: KafkaConfiguration, topic: String, group: String, readHeaders: Bool) async throws -> SubjectRun {
        let bootstrap = cluster.bootstrapServers
        // Exactly the Swift consumer's properties, with its defaults and the one it forces.
        let properties = Baseline.properties(
            of: configuration, defaults: KafkaConsumer.defaultProperties, adding: [("enable.auto.offset.store", "false")]
        )
        let (count, timeout) = (options.messages, Int32(idleTimeout * 1000))
        let run = try await Baseline.run("C consume loop", properties: [properties]) { lists, timing, error, errorSize in
            kinfer_baseline_consume(bootstrap, topic, group, Int64(count), lists[0], properties.count, timeout, readHeaders ? 1 : 0, timing, error, errorSize)
        }
        guard run.count == count, run.anomalies == 0 else {
            throw BenchFailure("C consume loop: read \(run.count) of \(count), \(run.anomalies) out of order, duplicated or failed")
        }
        return SubjectRun(count: run.count, seconds: run.seconds)
    }

    func consumeSwift(configuration: KafkaConfiguration, topic: String, batched: Bool) async throws -> SubjectRun {
        var consumerOptions = KafkaConsumer.Options()
        if let bufferCapacity { consumerOptions.bufferCapacity = bufferCapacity }
        var configuration = configuration
        var logger = benchLogger
        if let debug = ProcessInfo.processInfo.environment["KINFER_BENCH_DEBUG"] {
            configuration.properties["debug"] = debug
            logger.logLevel = .debug
        }
        let consumer = try KafkaConsumer(configuration: configuration, options: consumerOptions, logger: logger)
        try consumer.subscribe(topics: [topic])
        let progress = Atomic<Int>(0)
        let watchdog = Task {
            var last = -1
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(idleTimeout))
                let now = progress.load(ordering: .relaxed)
                if now == last && !Task.isCancelled {
                    await consumer.close()  // ends the sequence; the count check below reports it
                    return
                }
                last = now
            }
        }
        var check = OffsetCheck(partitions: options.partitions)
        // Read once, as the C loop's `count`: `options` is a property wrapper, and reading it per message
        // cost the loop a generic metadata lookup and a copy of every option (perf, docs/benchmarks.md).
        let total = options.messages
        let clock = ContinuousClock()
        var first: ContinuousClock.Instant?
        if batched {
            for try await batch in consumer.batches(maxCount: 1024) {
                if check.consumed == 0 { first = clock.now }
                for message in batch { check.record(partition: message.partition, offset: message.offset) }
                progress.store(check.consumed, ordering: .relaxed)
                if check.consumed >= total { break }
            }
        } else {
            for try await message in consumer.messages {
                if check.consumed == 0 { first = clock.now }
                check.record(partition: message.partition, offset: message.offset)
                if check.consumed & 1023 == 0 { progress.store(check.consumed, ordering: .relaxed) }
                if check.consumed >= total { break }
            }
        }
        let end = clock.now
        watchdog.cancel()
        await consumer.close()
        guard check.consumed == total, check.anomalies == 0, let first else {
            throw BenchFailure("Swift consumer: read \(check.consumed) of \(total), \(check.anomalies) out of order or duplicated")
        }
        return SubjectRun(count: check.consumed, seconds: (end - first).seconds)
    }
}

/// Checks that each partition's offsets arrive contiguously from 0: with the total equal to the number
/// produced, that is every message exactly once.
struct OffsetCheck {
    private var expected: [Int64]
    private(set) var consumed = 0
    private(set) var anomalies = 0

    init(partitions: Int) {
        expected = Array(repeating: 0, count: partitions)
    }

    @inline(__always)
    mutating func record(partition: Int32, offset: Int64) {
        consumed += 1
        let index = Int(partition)
        guard index >= 0 && index < expected.count && expected[index] == offset else {
            anomalies += 1
            if index >= 0 && index < expected.count { expected[index] = offset + 1 }
            return
        }
        expected[index] = offset + 1
    }
}
