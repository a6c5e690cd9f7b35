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
            // Keys in sorted order, as the finished body's are fixed: what a poll reads most while a job waits.
            var writer = JSONWriter(capacity: 96 + jobID.utf8.count)
            writer.raw(#"{"accepted_at":"#)
            writer.timestamp(acceptedAt)
            writer.raw(#","job_id":"#)
            writer.string(jobID)
            writer.raw(#","status":"pending"}"#)
            return writer.bytes
        }
    }
}
