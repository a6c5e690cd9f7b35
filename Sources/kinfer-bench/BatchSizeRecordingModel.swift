import InferenceJobs
import InferenceModels
import Synchronization

/// The simulated model (no work), recording how many jobs each call carried: the worker's batch size distribution.
final class BatchSizeRecordingModel: InferenceModel {
    private let model = SimulatedModel()
    private let sizes = Mutex<[Int: Int]>([:])

    var name: String { model.name }
    var version: String { model.version }
    var inputLength: Int? { model.inputLength }

    func predict(_ batch: [ModelInput]) async throws -> [ModelOutput] {
        sizes.withLock { $0[batch.count, default: 0] += 1 }
        return try await model.predict(batch)
    }

    func failureClass(of error: any Error) -> FailureClass {
        model.failureClass(of: error)
    }

    /// Calls by batch size, in ranges: `1: 12%, 2-7: 3%, ...`.
    var distribution: String {
        let sizes = sizes.withLock { $0 }
        let calls = sizes.values.reduce(0, +)
        guard calls > 0 else { return "no calls" }
        let ranges: [ClosedRange<Int>] = [1...1, 2...7, 8...15, 16...31, 32...63, 64...64, 65...Int.max]
        return ranges.compactMap { range -> String? in
            let inRange = sizes.filter { range.contains($0.key) }.values.reduce(0, +)
            guard inRange > 0 else { return nil }
            let label = range.lowerBound == range.upperBound ? "\(range.lowerBound)"
                : range.upperBound == Int.max ? "\(range.lowerBound)+" : "\(range.lowerBound)-\(range.upperBound)"
            return "\(label): \(String(format: "%.1f", Double(inRange) * 100 / Double(calls)))%"
        }.joined(separator: ", ")
    }
}
