import ArgumentParser
import CKafkaBaselines
import EmbeddedKafka
import Kafka
import Synchronization

/// `producer`: messages of `--size` bytes to the embedded cluster (3 brokers, acks=all, idempotent),
/// the Swift producer (`enqueue` with a delivery callback) against a minimal C loop, then the median
/// time from `send` to its awaited delivery report.
struct ProducerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "producer",
        abstract: "Swift producer vs a minimal C produce loop; send→delivery latency."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "Sequential awaited sends for the send→delivery latency (linger.ms=0); 0 skips it.")
    var latencySends = 2000

    func run() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: benchLogger)
        let configuration = cluster.producerConfiguration()
        var runs: [String: [SubjectRun]] = [:]
        for round in 1...options.rounds {
            let subjects = options.subjects(of: ["c", "swift"])
            for subject in round % 2 == 1 ? subjects : subjects.reversed() {
                let topic = "bench-producer-\(subject)-\(runID)-\(round)"
                try cluster.createTopic(topic, partitions: options.partitions)
                PeakRSS.reset()
                var run = subject == "c"
                    ? try await Self.produceC(cluster: cluster, configuration: configuration, topic: topic, options: options)
                    : try await Self.produceSwift(configuration: configuration, topic: topic, options: options)
                run.peakRSS = PeakRSS.megabytes
                runs[subject, default: []].append(run)
            }
        }

        var report = BenchmarkReport()
        let c = runs["c"].map(SubjectRun.median)
        if let c { report.add(c.line(benchCase: "producer", subject: "c", size: options.size, rounds: options.rounds)) }
        if let swift = runs["swift"].map(SubjectRun.median) {
            report.add(
                swift.line(benchCase: "producer", subject: "swift", size: options.size, rounds: options.rounds, baseline: c.map { ("c", $0.rate) })
            )
        }
        if latencySends > 0 {
            var latencyConfiguration = configuration
            latencyConfiguration.linger = .zero
            let topic = "bench-producer-latency-\(runID)"
            try cluster.createTopic(topic, partitions: options.partitions)
            let samples = try await Self.sendLatency(configuration: latencyConfiguration, topic: topic, sends: latencySends, size: options.size)
            let total = samples.milliseconds.reduce(0, +) / 1000
            report.add(
                BenchmarkLine(
                    benchCase: "producer", subject: "swift-send-latency", rate: Double(samples.count) / total, unit: "msg/s",
                    p50Milliseconds: samples.percentile(50), p99Milliseconds: samples.percentile(99),
                    count: samples.count, seconds: total
                )
            )
        }
        report.notes = [
            "\(options.messages) messages of \(options.size) B, \(options.partitions) partitions, embedded cluster of 3 brokers, acks=all, idempotent, linger.ms=2; a fresh topic per subject; figures are medians of \(options.rounds) round(s), subjects alternating.",
            "Timed from the first produce call to the end of the flush (handle creation excluded); MB/s counts payload bytes (10^6).",
            "Latency: \(latencySends) sequential awaited sends with linger.ms=0 after 100 unrecorded ones.",
            "peak RSS is the whole process's high-water mark during the subject, embedded cluster (and the messages it stores) included.",
        ]
        report.print(json: options.json)
    }

    static func produceC(cluster: EmbeddedKafkaCluster, configuration: KafkaConfiguration, topic: String, options: BenchOptions) async throws -> SubjectRun {
        let bootstrap = cluster.bootstrapServers
        let properties = Baseline.properties(of: configuration)
        let (count, size) = (options.messages, options.size)
        let run = try await Baseline.run("C produce loop", properties: [properties]) { lists, timing, error, errorSize in
            kinfer_baseline_produce(bootstrap, topic, Int64(count), size, lists[0], properties.count, timing, error, errorSize)
        }
        guard run.count == count, run.anomalies == 0 else {
            throw BenchFailure("C produce loop: \(run.count) of \(count) delivered, \(run.anomalies) failed")
        }
        return SubjectRun(count: run.count, seconds: run.seconds)
    }

    static func produceSwift(configuration: KafkaConfiguration, topic: String, options: BenchOptions) async throws -> SubjectRun {
        let producer = try KafkaProducer(configuration: configuration, logger: benchLogger)
        let delivered = DeliveryCounts()
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: options.size)
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<options.messages {
            try await producer.enqueue(KafkaProducerMessage(topic: topic, key: decimalKey(index), value: payload)) { result in
                delivered.record(result)
            }
        }
        try await producer.flush(timeout: .seconds(120))
        let elapsed = clock.now - start
        await producer.close()
        let (succeeded, failed) = (delivered.succeeded.load(ordering: .acquiring), delivered.failed.load(ordering: .acquiring))
        guard succeeded == options.messages, failed == 0 else {
            throw BenchFailure("Swift producer: \(succeeded) of \(options.messages) delivered, \(failed) failed")
        }
        return SubjectRun(count: succeeded, seconds: elapsed.seconds)
    }

    /// Sequential `send`s, each awaited: the time from `send` to its delivery report.
    static func sendLatency(configuration: KafkaConfiguration, topic: String, sends: Int, size: Int) async throws -> LatencySamples {
        let producer = try KafkaProducer(configuration: configuration, logger: benchLogger)
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        var samples = LatencySamples(capacity: sends)
        let clock = ContinuousClock()
        for index in 0..<(100 + sends) {
            let message = KafkaProducerMessage(topic: topic, key: decimalKey(index), value: payload)
            let start = clock.now
            _ = try await producer.send(message)
            if index >= 100 { samples.record(clock.now - start) }
        }
        await producer.close()
        return samples
    }
}

/// Delivery outcomes counted from the producer's poll thread.
final class DeliveryCounts: Sendable {
    let succeeded = Atomic<Int>(0)
    let failed = Atomic<Int>(0)

    func record(_ result: Result<KafkaDeliveryReport, KafkaError>) {
        switch result {
        case .success: succeeded.add(1, ordering: .relaxed)
        case .failure: failed.add(1, ordering: .relaxed)
        }
    }
}

/// One subject's measurement in one round.
struct SubjectRun {
    var count: Int
    var seconds: Double
    var peakRSS: Double? = nil

    var rate: Double { Double(count) / seconds }

    /// The run with the median rate (the lower middle one for an even count), so its figures stay consistent.
    static func median(_ runs: [SubjectRun]) -> SubjectRun {
        let sorted = runs.sorted { $0.rate < $1.rate }
        return sorted[(sorted.count - 1) / 2]
    }

    func line(benchCase: String, subject: String, size: Int?, unit: String = "msg/s", rounds: Int, baseline: (String, Double)? = nil) -> BenchmarkLine {
        BenchmarkLine(
            benchCase: benchCase, subject: subject, rate: rate, unit: unit,
            megabytesPerSecond: size.map { rate * Double($0) / 1e6 },
            baseline: baseline?.0, baselineRate: baseline?.1,
            peakRSSMegabytes: peakRSS, count: count, seconds: seconds, rounds: rounds
        )
    }
}
