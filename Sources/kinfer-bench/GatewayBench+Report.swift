import Foundation

/// The gateway case's lines and notes: per subject, a `saturation` and a `half` line with the median of each figure
/// over the rounds, kinfer's submit lines with their ratio to the FastAPI reference at the same load point, and the
/// issue's targets checked in the notes so that a run says by itself whether they hold.
extension GatewayBench {
    func report(_ measurements: [Subject: [Measurement]], order: [Subject], notes extra: [String]) -> BenchmarkReport {
        var report = BenchmarkReport()
        func lines(_ subject: Subject) -> (saturation: BenchmarkLine, half: BenchmarkLine)? {
            guard let rounds = measurements[subject], !rounds.isEmpty else { return nil }
            func line(_ load: String, _ pick: (Measurement) -> (WrkLoad.Outcome, Double)) -> BenchmarkLine {
                let runs = rounds.map(pick)
                let rates = runs.map { $0.0.rate }
                let middle = median(rates)
                // The connections of the round nearest the median rate (the same in every round unless saturation moved).
                let typical = runs.min { abs($0.0.rate - middle) < abs($1.0.rate - middle) }!.0
                return BenchmarkLine(
                    benchCase: "gateway", subject: subject.rawValue, load: load, connections: typical.connections,
                    rate: middle, unit: "jobs/s",
                    p50Milliseconds: median(runs.map { $0.0.p50Milliseconds }),
                    p99Milliseconds: median(runs.map { $0.0.p99Milliseconds }),
                    cpuMicroseconds: median(runs.map { $0.1 / Double(max($0.0.expected, 1)) * 1e6 }),
                    count: Int(median(runs.map { Double($0.0.expected) })),
                    seconds: median(runs.map { $0.0.seconds }),
                    rounds: runs.count
                )
            }
            return (line("saturation", { ($0.saturation, $0.saturationCPU) }), line("half", { ($0.half, $0.halfCPU) }))
        }
        let reference = lines(.fastapi)
        var kinferLines: (saturation: BenchmarkLine, half: BenchmarkLine)?
        for subject in order {
            guard var pair = lines(subject) else { continue }
            if subject != .kinferPredict, let reference {
                pair.saturation.baseline = "fastapi"
                pair.saturation.baselineRate = reference.saturation.rate
                pair.half.baseline = "fastapi"
                pair.half.baselineRate = reference.half.rate
            }
            if subject == .kinfer { kinferLines = pair }
            report.add(pair.saturation)
            report.add(pair.half)
        }

        var notes = [
            "load: wrk \(threads) thread(s), keep-alive connections, POST with a JSON body of a digits job (64 features, \(Self.submitBody.utf8.count) B), \(duration) s per run after \(warmup) s of warm-up on each fresh server; saturation: the most accepted jobs/s over --connections \(connections); half: wrk paced by its Lua delay() to half that rate, \(halfConnections.map { "\($0) connections for every subject" } ?? "same connections"), latency timed from each request's write (service time, no coordinated-omission correction).",
            "rate: answers with the expected status (202, predict 200) per second; p50/p99: wrk's, over every answer; CPU µs: per accepted job, of everything serving the subject (kinfer: this whole process, so the embedded cluster's 3 brokers too; fastapi: uvicorn and redis-server), not wrk's.",
            "kinfer: the Gateway service as kinfer gateway --no-auth runs it (127.0.0.1, port 0), one instance, SQLite store, \(recordAccepted ? "the gateway writing each job's pending row before its 202 (--record-accepted), " : "")the sink's pending-job recorder in this process writing a pending row per job (batched)\(recordAccepted ? "" : "; a 202 waits for no row"), producer acks=all, idempotent, linger.ms=\(lingerMs.map(String.init) ?? "5 (the gateway's default, librdkafka's)") (the follower's fetch.wait.max.ms=10, as kinfer demo has it), on an embedded 3-broker cluster in this process, topics of \(partitions) partitions replicated 3 times; a fresh gateway, topics and database per subject per round; no worker, so jobs only accumulate.",
            "fastapi: scripts/bench/gateway_reference.py on uvicorn (1 worker process, uvloop, httptools, no access log), pydantic validation, UUID4 job ID, SETEX of the status and RPUSH of the job in one pipelined MULTI/EXEC round trip (redis-py asyncio, hiredis) to redis-server on 127.0.0.1 without persistence (--save \"\" --appendonly no); started once for the whole case.",
            "kinfer-predict: POST /v1/predict through a fresh kinfer gateway with an InferenceWorker (simulated model: no work, no latency; default WorkerConfiguration) and the ResultsSink into its SQLite store, all in this process; the latency is the whole round trip: produce, worker, result produced, read by the gateway's follower, answered. No ratio: the reference has no synchronous call.",
        ]
        for subject in order {
            for (round, measurement) in (measurements[subject] ?? []).enumerated() {
                let tried = measurement.candidates.map {
                    "\($0.connections) conns \(BenchmarkReport.grouped($0.rate))/s p99 \(BenchmarkReport.number($0.p99Milliseconds, digits: 1)) ms"
                }.joined(separator: ", ")
                var note = "\(subject.rawValue), round \(round + 1): saturation candidates \(tried)"
                for (load, outcome) in [("saturation", measurement.saturation), ("half", measurement.half)] where outcome.other + outcome.socketErrors > 0 {
                    note += "; \(load): \(outcome.other) other answers, \(outcome.socketErrors) socket errors"
                }
                notes.append(note + ".")
            }
        }
        if let kinfer = kinferLines, let reference {
            let times = kinfer.saturation.rate / max(reference.saturation.rate, 1)
            // Each subject's saturation may be at another connection count, where queueing alone changes the p99: the
            // p99s are compared at each count both ran (median over rounds), and at each one's half load.
            func p99(_ subject: Subject, _ connections: Int) -> Double? {
                let values = (measurements[subject] ?? []).compactMap { $0.candidates.first { $0.connections == connections }?.p99Milliseconds }
                return values.isEmpty ? nil : median(values)
            }
            let pairs = connectionCounts.compactMap { count in p99(.kinfer, count).flatMap { k in p99(.fastapi, count).map { (count, k, $0) } } }
            let halfLower = (kinfer.half.p99Milliseconds ?? .infinity) < (reference.half.p99Milliseconds ?? 0)
            let lower = halfLower && pairs.allSatisfy { $0.1 < $0.2 }
            let sameConnections = pairs.map { "\($0.0) conns \(BenchmarkReport.number($0.1, digits: 1)) vs \(BenchmarkReport.number($0.2, digits: 1)) ms" }.joined(separator: ", ")
            notes.append(
                "targets (issue #17): kinfer at \(BenchmarkReport.number(times, digits: 2))x the reference's accepted jobs/s at saturation (target at least 5x: \(times >= 5 ? "met" : "not met")); "
                    + "p99 kinfer vs fastapi at the same connections, full speed: \(sameConnections); at half load\(halfConnections.map { " (\($0) conns each)" } ?? " (each at its own saturation's conns)") \(BenchmarkReport.number(kinfer.half.p99Milliseconds ?? 0, digits: 1)) vs \(BenchmarkReport.number(reference.half.p99Milliseconds ?? 0, digits: 1)) ms "
                    + "(target lower everywhere: \(lower ? "met" : "not met"))."
            )
        }
        if let kinfer = kinferLines {
            notes.append("goal: 20,000 accepted jobs/s with acks=all on this machine's \(ProcessInfo.processInfo.activeProcessorCount) cores: \(BenchmarkReport.grouped(kinfer.saturation.rate)) (\(kinfer.saturation.rate >= 20_000 ? "met" : "not met")).")
        }
        report.notes = notes + extra
        return report
    }
}
