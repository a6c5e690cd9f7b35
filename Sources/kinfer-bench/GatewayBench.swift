import ArgumentParser
import EmbeddedKafka
import Foundation
import Kafka
import KinferTestSupport

/// `gateway` (issue #17): accepted jobs per second, and the p50/p99 of `POST /v1/jobs`, at saturation and at half of
/// it, for kinfer's gateway (one instance, broker acknowledgement with acks=all included) against the design the
/// project answers (FastAPI, uvicorn and Redis, `RPUSH` plus `SETEX` per submit), under the same wrk load in the
/// same run; and `POST /v1/predict` end to end through kinfer's gateway, a worker with the no-op simulated model and
/// the sink.
///
/// Everything runs on this machine and talks only to 127.0.0.1: the embedded cluster and the gateway in this
/// process, redis-server, uvicorn and wrk as children, each stopped when the case ends, failed or not.
struct GatewayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "kinfer's HTTP gateway (POST /v1/jobs, acks=all) vs FastAPI + uvicorn + Redis under wrk; /v1/predict end to end.",
        discussion: """
            Needs wrk and redis-server (Debian) and, in the repository's .venv, fastapi, uvicorn with uvloop and \
            httptools, redis with hiredis, and orjson: scripts/bench/setup-gateway installs them.
            """
    )

    @Option(help: "Seconds of load per measured run.")
    var duration = 5

    @Option(help: "Seconds of unmeasured load on each fresh server before its first measured run.")
    var warmup = 2

    @Option(help: "Keep-alive connections to try for saturation, comma-separated; the one with the most accepted jobs/s is saturation, and the half-load run uses it too.")
    var connections = "16,64,256"

    @Option(help: "Keep-alive connections of every subject's half-load run, to compare p99s at equal connections; default: each subject's saturation count.")
    var halfConnections: Int?

    @Option(help: "wrk threads (each one event loop).")
    var threads = 1

    @Option(help: "Rounds; subjects rotate their order each round and each figure is the median round's.")
    var rounds = 1

    @Option(help: "Partitions per topic of kinfer's gateway.")
    var partitions = 12

    @Option(help: "linger.ms of kinfer's gateway producer: how long a job waits for others to share its produce request. Default: the gateway's own (librdkafka's 5).")
    var lingerMs: Int?

    @Flag(help: "kinfer's gateway writes each accepted job's pending row before its 202 (kinfer gateway --record-accepted), instead of leaving it to the sink's pending-job recorder.")
    var recordAccepted = false

    @Option(help: "Only these subjects, comma-separated: kinfer,fastapi,kinfer-predict.")
    var subjects: String?

    @Option(help: "The Python interpreter for the FastAPI reference; default: KINFER_PYTHON, else the repository's .venv.")
    var python: String?

    @Flag(help: "Print one JSON object per measured line instead of a table.")
    var json = false

    func validate() throws {
        guard duration > 0, warmup >= 0, threads > 0, rounds > 0, partitions > 0, (lingerMs ?? 0) >= 0 else {
            throw ValidationError("--duration, --threads, --rounds and --partitions must be positive, --warmup and --linger-ms not negative")
        }
        if let halfConnections, !(1...10_000).contains(halfConnections) {
            throw ValidationError("--half-connections must be from 1 to 10000, got \(halfConnections)")
        }
        guard !connectionCounts.isEmpty, connectionCounts.allSatisfy({ (1...10_000).contains($0) }) else {
            throw ValidationError("--connections must be a comma-separated list of counts from 1 to 10000, got \(connections)")
        }
    }

    var connectionCounts: [Int] { connections.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    /// The held-out image of a 0 from the README's example: the digits shape, 64 features.
    static let features = "[0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0]"
    /// What both subjects' `POST /v1/jobs` get: a digits job, no key, no job ID (each server makes one).
    static let submitBody = #"{"model":"digits","inputs":{"features":\#(features)}}"#
    /// What `/v1/predict` gets: the same features for the simulated model, which does no work.
    static let predictBody = #"{"model":"simulated","inputs":{"features":\#(features)}}"#

    /// One subject: where its load goes and how its CPU is read.
    enum Subject: String, CaseIterable {
        case kinfer
        case fastapi
        case kinferPredict = "kinfer-predict"
    }

    /// A subject's two measured runs in one round, with the CPU each took.
    struct Measurement: Sendable {
        var saturation: WrkLoad.Outcome
        var saturationCPU: Double
        var half: WrkLoad.Outcome
        var halfCPU: Double
        /// Every saturation run, one per connection count: p99s compare only at the same connections.
        var candidates: [WrkLoad.Outcome]
    }

    var pythonInterpreter: String {
        if let python { return python }
        if let python = ProcessInfo.processInfo.environment["KINFER_PYTHON"], !python.isEmpty { return python }
        let venv = WorkerBench.repository.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }

    func run() async throws {
        guard let wrk = ChildProcess.findExecutable("wrk") else {
            throw BenchFailure("no wrk: run scripts/bench/setup-gateway (or apt-get install wrk)")
        }
        var wanted = Subject.allCases.filter { isWanted($0.rawValue, in: subjects) }
        var notes: [String] = []
        if wanted.contains(.fastapi), let unavailable = await ReferenceServer.unavailable(python: pythonInterpreter) {
            guard subjects == nil else { throw BenchFailure("fastapi: \(unavailable)") }
            wanted.removeAll { $0 == .fastapi }
            notes.append("fastapi: skipped, \(unavailable).")
        }
        guard !wanted.isEmpty else { throw ValidationError("--subjects names none of kinfer, fastapi, kinfer-predict") }

        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-bench-gateway-\(runID)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let load = WrkLoad(wrk: wrk, threads: threads, directory: scratch)
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: benchLogger)

        // The reference runs for the whole case (one Redis list for every round), and is stopped however it ends.
        let reference = wanted.contains(.fastapi)
            ? try await ReferenceServer.start(python: pythonInterpreter, scratch: scratch, probeBody: Self.submitBody) : nil
        var measurements: [Subject: [Measurement]] = [:]
        do {
            for round in 0..<rounds {
                let shift = round % wanted.count
                for subject in Array(wanted[shift...] + wanted[..<shift]) {
                    let measurement: Measurement
                    switch subject {
                    case .kinfer:
                        measurement = try await withKinferGateway(cluster: cluster, name: "jobs", withWorker: false, scratch: scratch) { port in
                            try await measure(load, url: "http://127.0.0.1:\(port)/v1/jobs", body: Self.submitBody, status: 202) { ProcessCPU.ownSeconds }
                        }
                    case .fastapi:
                        let reference = reference!
                        measurement = try await measure(load, url: reference.baseURL + "/v1/jobs", body: Self.submitBody, status: 202) {
                            reference.cpuSeconds + ProcessCPU.ownSeconds
                        }
                    case .kinferPredict:
                        measurement = try await withKinferGateway(cluster: cluster, name: "predict", withWorker: true, scratch: scratch) { port in
                            try await measure(load, url: "http://127.0.0.1:\(port)/v1/predict", body: Self.predictBody, status: 200) { ProcessCPU.ownSeconds }
                        }
                    }
                    measurements[subject, default: []].append(measurement)
                }
            }
        } catch {
            await reference?.stop()
            throw error
        }
        await reference?.stop()
        report(measurements, order: wanted, notes: notes).print(json: json)
    }

    /// Saturation, then half of it, against one server: a warm-up, one run per connection count (the most accepted
    /// jobs/s wins), then a run paced at half that rate over the same connections. `cpu` reads the CPU seconds of
    /// everything serving the subject.
    func measure(
        _ load: WrkLoad, url: String, body: String, status: Int, cpu: () -> Double
    ) async throws -> Measurement {
        let counts = connectionCounts
        if warmup > 0 {
            _ = try await load.run(url: url, body: body, expectedStatus: status, connections: counts.max()!, seconds: warmup)
        }
        var best: (outcome: WrkLoad.Outcome, cpu: Double)?
        var candidates: [WrkLoad.Outcome] = []
        for connections in counts {
            let before = cpu()
            let outcome = try await load.run(url: url, body: body, expectedStatus: status, connections: connections, seconds: duration)
            let used = cpu() - before
            try check(outcome, url: url)
            candidates.append(outcome)
            if outcome.rate > best?.outcome.rate ?? -1 { best = (outcome, used) }
        }
        let saturation = best!
        let before = cpu()
        let half = try await load.run(
            url: url, body: body, expectedStatus: status, connections: halfConnections ?? saturation.outcome.connections,
            seconds: duration, rate: saturation.outcome.rate / 2
        )
        let halfCPU = cpu() - before
        try check(half, url: url)
        return Measurement(
            saturation: saturation.outcome, saturationCPU: saturation.cpu, half: half, halfCPU: halfCPU, candidates: candidates
        )
    }

    /// A run that accepted nothing measured nothing (a refused body, a server that died): fail rather than print it.
    private func check(_ outcome: WrkLoad.Outcome, url: String) throws {
        guard outcome.expected > 0 else {
            throw BenchFailure("\(url): no request answered as expected in \(outcome.seconds) s (\(outcome.other) other answers, \(outcome.socketErrors) socket errors)")
        }
    }
}
