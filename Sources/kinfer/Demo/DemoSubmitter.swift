import Foundation
import InferenceJobs
import Kafka
import Synchronization

/// Submits the demo's jobs: held-out digits, cycled, each with its index into the test set.
final class DemoSubmitter: Sendable {
    /// Job IDs in submission order; job `i` is test image `i % testSetCount`.
    let jobIDs: [String]
    private let acknowledged = Atomic<Int>(0)
    private let failures = Mutex<[Int: String]>([:])
    private let firstSubmit = Mutex<Date?>(nil)
    private let done = Atomic<Bool>(false)

    /// Whether ``run(producer:features:load:)`` has returned or thrown.
    var isFinished: Bool { done.load(ordering: .acquiring) }

    init(count: Int) {
        jobIDs = (0..<count).map { _ in JobID.make() }
    }

    /// Jobs the brokers acknowledged so far.
    var submitted: Int { acknowledged.load(ordering: .relaxed) }
    var startedAt: Date? { firstSubmit.withLock { $0 } }
    /// Indexes of jobs whose submission failed, with the reason.
    var failed: [Int: String] { failures.withLock { $0 } }

    func run(producer: JobProducer, features: [[Double]], load: DemoLoad) async throws {
        defer { done.store(true, ordering: .releasing) }
        let clock = ContinuousClock()
        let start = clock.now
        firstSubmit.withLock { $0 = Date() }
        for (index, id) in jobIDs.enumerated() {
            if let offset = load.offset(of: index, total: jobIDs.count) {
                let due = start.advanced(by: .milliseconds(Int64(offset * 1000)))
                if due > clock.now { try await Task.sleep(until: due, clock: clock) }
            }
            let job = InferenceJob(jobID: id, inputs: ModelInput(features: features[index % features.count]), submittedAt: Date())
            try await producer.enqueue(job) { [self] result in
                switch result {
                case .success: acknowledged.add(1, ordering: .relaxed)
                case .failure(let error): failures.withLock { $0[index] = "\(error)" }
                }
            }
        }
    }
}
