import Hummingbird
import ResultStore

/// `GET /v1/jobs/{id}`: the job's result or pending row from the store.
extension GatewayResponder {
    func status(of jobID: String) async throws(Problem) -> Response {
        .json(.ok, JobStatusBody.json(jobID: jobID, record: try await self.lookUp(jobID)))
    }

    /// The job's record in the store.
    ///
    /// When the store has none and the pending-job recorder writes the pending rows (``GatewayConfiguration/Options-swift.struct/pendingRecorderGroup``),
    /// waits until the recorder has recorded every job the broker acknowledged before now, then reads again: a job
    /// accepted a moment ago by any instance, or produced straight onto the topic by any client, is then found, and
    /// one still missing is unknown (`404`). A recorder that does not catch up in time gets `503`, not a `404` that
    /// may be false.
    func lookUp(_ jobID: String) async throws(Problem) -> JobRecord {
        if let record = try await self.storedRecord(of: jobID) { return record }
        guard let jobsTopic = self.jobsTopic, let group = jobsTopic.recorderGroup else { throw Problem.unknownJob(jobID) }
        let timeout = self.configuration.options.recorderWaitTimeout
        let caughtUp = await jobsTopic.waitForRecorder(timeout: timeout)
        if let record = try await self.storedRecord(of: jobID) { return record }
        guard caughtUp else {
            self.logger.warning(
                "the pending-job recorder did not reach the end of the jobs topic in time",
                metadata: ["group": "\(group)", "timeout": "\(timeout)"]
            )
            throw Problem.recorderBehind(
                jobID: jobID, group: group, waited: timeout, retryAfter: self.configuration.options.retryAfterSeconds
            )
        }
        throw Problem.unknownJob(jobID)
    }

    private func storedRecord(of jobID: String) async throws(Problem) -> JobRecord? {
        do {
            return try await self.store.jobRecord(for: jobID)
        } catch {
            throw self.storeUnavailable(error, during: "look-up of job \(jobID)")
        }
    }
}
