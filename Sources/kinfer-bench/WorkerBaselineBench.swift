import ArgumentParser
import CKafkaBaselines
import EmbeddedKafka
import Kafka

/// `worker-baseline`: the minimal C worker (consume a job, produce a fixed result, store the job's offset on
/// the result's delivery report, commit every 100 ms), the figure a Swift worker case compares against.
struct WorkerBaselineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker-baseline",
        abstract: "The minimal C worker loop: jobs/s from a pre-produced jobs topic to a results topic."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "Size of the fixed result in bytes.")
    var resultSize = 100

    @Option(help: "Seconds without a job or delivery after which the worker fails.")
    var idleTimeout = 60

    func run() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: benchLogger)
        var runs: [SubjectRun] = []
        for round in 1...options.rounds {
            let jobs = "bench-worker-jobs-\(runID)-\(round)"
            let results = "bench-worker-results-\(runID)-\(round)"
            let group = "bench-worker-c-\(runID)-\(round)"
            try cluster.createTopic(jobs, partitions: options.partitions)
            try cluster.createTopic(results, partitions: options.partitions)
            try await Baseline.preProduce(cluster: cluster, topic: jobs, count: options.messages, size: options.size)
            PeakRSS.reset()
            var run = try await workC(cluster: cluster, jobs: jobs, results: results, group: group)
            run.peakRSS = PeakRSS.megabytes
            try await checkCommitted(cluster: cluster, topic: jobs, group: group)
            runs.append(run)
        }
        var report = BenchmarkReport()
        report.add(SubjectRun.median(runs).line(benchCase: "worker-baseline", subject: "c-worker", size: nil, unit: "jobs/s", rounds: options.rounds))
        report.notes = [
            "\(options.messages) pre-produced jobs of \(options.size) B over \(options.partitions) partitions; a fixed \(resultSize)-byte result per job to a results topic of as many partitions (acks=all, idempotent, linger.ms=2); embedded cluster of 3 brokers.",
            "Timed from the first job to the last result's delivery report; offsets stored on each delivery report, committed every 100 ms; the committed offsets are checked to cover every job.",
        ]
        report.print(json: options.json)
    }

    func workC(cluster: EmbeddedKafkaCluster, jobs: String, results: String, group: String) async throws -> SubjectRun {
        let bootstrap = cluster.bootstrapServers
        let consumerProperties = Baseline.properties(of: cluster.consumerConfiguration(group: group), defaults: KafkaConsumer.defaultProperties)
        let producerProperties = Baseline.properties(of: cluster.producerConfiguration())
        let (count, resultSize, timeout) = (options.messages, resultSize, Int32(idleTimeout * 1000))
        let run = try await Baseline.run("C worker", properties: [consumerProperties, producerProperties]) { lists, timing, error, errorSize in
            kinfer_baseline_worker(
                bootstrap, jobs, results, group, Int64(count), resultSize,
                lists[0], consumerProperties.count, lists[1], producerProperties.count,
                timeout, timing, error, errorSize
            )
        }
        guard run.count == count, run.anomalies == 0 else {
            throw BenchFailure("C worker: \(run.count) of \(count) results delivered, \(run.anomalies) failed")
        }
        return SubjectRun(count: run.count, seconds: run.seconds)
    }

    /// The group's committed offsets must add up to every job: the worker stored and committed them all.
    func checkCommitted(cluster: EmbeddedKafkaCluster, topic: String, group: String) async throws {
        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: group), logger: benchLogger)
        let partitions = (0..<options.partitions).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) }
        let committed = try await consumer.committed(partitions)
        await consumer.close()
        let total = committed.values.reduce(0) { $0 + max($1, 0) }
        guard total == Int64(options.messages) else {
            throw BenchFailure("C worker: committed offsets cover \(total) of \(options.messages) jobs")
        }
    }
}
