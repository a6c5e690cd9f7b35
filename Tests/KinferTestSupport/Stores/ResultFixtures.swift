import Foundation
import InferenceJobs

/// Results that exercise every column: the three statuses, optional fields present and absent, and text that needs
/// escaping. `variant` changes the content, as a repeat published by another attempt would.
public enum ResultFixtures {
    /// 2025-11-24T16:00:00Z in milliseconds; fixture times are whole milliseconds, like the contract's.
    public static let baseMilliseconds: Int64 = 1_764_000_000_000

    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    public static func result(_ index: Int, variant: Int = 0, completedAtMilliseconds: Int64? = nil) -> JobResult {
        let submitted = self.baseMilliseconds + Int64(index) * 7
        let completed = completedAtMilliseconds ?? submitted + 250 + Int64(variant) * 1000
        var result = JobResult(
            jobID: "job-\(index)",
            status: .completed,
            attempts: 1 + variant,
            model: "digits",
            modelVersion: "1.\(variant)",
            worker: "worker-\(variant)",
            submittedAt: self.date(milliseconds: submitted),
            startedAt: self.date(milliseconds: submitted + 5),
            completedAt: self.date(milliseconds: completed)
        )
        switch index % 3 {
        case 0:
            let scores = (0..<10).map { Double(($0 * 31 + index + variant) % 100) / 997 }
            result.output = ModelOutput(label: "\((index + variant) % 10)", confidence: scores.max()!, scores: scores)
        case 1:
            result.status = .failed
            result.error = JobError(errorClass: .fatal, message: "model said no to \"job-\(index)\" (variant \(variant))")
        default:
            result.status = .expired
            result.startedAt = nil
            result.error = JobError(errorClass: .expired, message: "deadline passed")
        }
        return result
    }
}
