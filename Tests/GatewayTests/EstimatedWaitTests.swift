import Foundation
import InferenceJobs
import InferenceModels
import KinferTestSupport
import Synchronization
import Testing

@Suite("Estimated wait")
struct EstimatedWaitTests {
    /// A probe: the job, and the estimate its `202` carried.
    struct Probe: Sendable {
        let jobID: String
        let estimate: Double
    }

    /// One worker draining 100 jobs/s (batches of 10 at 100 ms, one at a time), a standing backlog of about four
    /// seconds, then arrivals at the drain rate: after four seconds of that (the load is steady), one probe job a
    /// second for eight seconds reads its estimate from the `202`.
    @Test("On a steady load over a standing backlog, each probe's estimated_wait_seconds is within a factor of 2 of its real wait")
    func withinAFactorOfTwo() async throws {
        let group = uniqueName("estimate-workers")
        let body = #"{"model": "simulated", "inputs": {"features": [1, 2, 3]}}"#
        let model = SimulatedModel(configuration: .init(batchLatency: .milliseconds(100)))
        try await withGateway(configure: {
            $0.workersGroup = group
            $0.lagInterval = .milliseconds(200)
        }) { gateway in
            try await gateway.withWorkerAndSink(models: ModelCatalog([model]), workersGroup: group, configureWorker: {
                $0.maxBatchSize = 10
                $0.maxConcurrentBatches = 1
            }) {
                func submit(_ count: Int) async throws {
                    try await withThrowingTaskGroup(of: Void.self) { tasks in
                        for _ in 0..<count {
                            tasks.addTask {
                                let status = try await gateway.submit(body).status
                                #expect(status == 202)
                            }
                        }
                        try await tasks.waitForAll()
                    }
                }
                try await submit(400)
                var probes: [Probe] = []
                let clock = ContinuousClock()
                let start = clock.now
                for second in 0..<12 {
                    for tick in 0..<10 {
                        try await submit(tick == 0 ? 9 : 10)
                        try await clock.sleep(until: start.advanced(by: .milliseconds(second * 1_000 + tick * 100 + 100)))
                        if tick == 0 && second >= 4 {
                            let reply = try await gateway.submit(body)
                            #expect(reply.status == 202)
                            if let jobID = reply.object?["job_id"] as? String, let estimate = reply.object?["estimated_wait_seconds"] as? Double {
                                probes.append(Probe(jobID: jobID, estimate: estimate))
                            }
                        }
                    }
                }
                // Estimates need a rate: the first seconds of results may give none.
                #expect(probes.count >= 6, "probes with an estimate: \(probes.count)")
                var ratios: [Double] = []
                for probe in probes {
                    var completed: [String: Any] = [:]
                    try await waitUntil("probe \(probe.jobID) completes", timeout: .seconds(60)) {
                        let reply = try await gateway.send(.GET, "/v1/jobs/\(probe.jobID)")
                        completed = reply.object ?? [:]
                        return completed["status"] as? String == "completed"
                    }
                    let submitted = try #require((completed["submitted_at"] as? String).flatMap(JobTimestamp.parse))
                    let finished = try #require((completed["completed_at"] as? String).flatMap(JobTimestamp.parse))
                    ratios.append(finished.timeIntervalSince(submitted) / max(probe.estimate, 0.001))
                }
                print("estimated wait: real / estimate per probe: \(ratios.map { String(format: "%.2f", $0) })")
                for (probe, ratio) in zip(probes, ratios) {
                    #expect((0.5...2).contains(ratio), "\(probe.jobID): estimated \(probe.estimate) s, real / estimate \(ratio)")
                }
            }
        }
    }
}
