import Foundation
import InferenceJobs

/// One line of a `kinfer submit --file` input.
enum JobLine {
    struct Malformed: Error {
        var message: String
    }

    /// Decodes a job line with the contract's decoder; a line without `job_id` gets a new one, and `model` and
    /// `timeoutMs` fill in when the line has none.
    static func decode(_ bytes: [UInt8], now: Date, model: String?, timeoutMs: Int?) throws(Malformed) -> InferenceJob {
        var job: InferenceJob
        do {
            job = try JobCodec.decodeJob(bytes, fallbackSubmittedAt: now)
        } catch where error.code == .missingJobID {
            // Insert a fresh ID as the object's first member; the rest of the line is kept byte for byte.
            guard let brace = bytes.firstIndex(of: UInt8(ascii: "{")) else { throw Malformed(message: error.description) }
            let identified = Array(bytes[...brace]) + Array("\"job_id\":\"\(JobID.make(now: now))\",".utf8) + Array(bytes[(brace + 1)...])
            do {
                job = try JobCodec.decodeJob(identified, fallbackSubmittedAt: now)
            } catch {
                throw Malformed(message: error.description)
            }
        } catch {
            throw Malformed(message: error.description)
        }
        if job.model == nil { job.model = model }
        if job.timeoutMs == nil { job.timeoutMs = timeoutMs }
        return job
    }
}
