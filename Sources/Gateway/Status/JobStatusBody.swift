import Foundation
import InferenceJobs
import ResultStore

/// The body of `GET /v1/jobs/{id}`: a finished job's result in the contract's own JSON (`JobCodec.encode`, with
/// `status` `completed`, `failed` or `expired`), or `{"job_id", "status": "pending", "accepted_at"}`.
enum JobStatusBody {
    static func json(jobID: String, record: JobRecord) -> [UInt8] {
        switch record {
        case .finished(let stored):
            return JobCodec.encode(stored.result)
        case .pending(let acceptedAt):
            let object: [String: Any] = [
                "job_id": jobID, "status": "pending", "accepted_at": JobTimestamp.format(acceptedAt),
            ]
            return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
        }
    }
}
