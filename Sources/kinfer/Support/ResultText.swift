import Foundation
import InferenceJobs

/// How commands print a job's result: one line for people, or the contract's JSON.
enum ResultText {
    /// `2025-01-01T00:00:00.000Z <job> completed label=7 confidence=0.981 model=digits@1 attempts=1 worker=w`.
    static func line(_ result: JobResult) -> String {
        var parts = [JobTimestamp.format(result.completedAt), result.jobID, result.status.rawValue]
        switch result.output {
        case .classification(let output)?:
            parts.append("label=\(output.label)")
            parts.append("confidence=\(String(format: "%.3f", output.confidence))")
        case .text(let output)?:
            parts.append("tokens=\(output.tokens)")
            parts.append("finish_reason=\(output.finishReason)")
        case nil:
            break
        }
        parts.append("model=\(result.model)\(result.modelVersion.isEmpty ? "" : "@" + result.modelVersion)")
        parts.append("attempts=\(result.attempts)")
        parts.append("worker=\(result.worker)")
        if let error = result.error {
            parts.append("error=\(error.errorClass.rawValue): \(error.message)")
        }
        return parts.joined(separator: " ")
    }

    static func json(_ result: JobResult) -> String {
        String(decoding: JobCodec.encode(result), as: UTF8.self)
    }
}
