import Hummingbird
import ResultStore

/// `GET /v1/jobs/{id}`: the job's result or pending row from the store.
extension GatewayResponder {
    func status(of jobID: String) async throws(Problem) -> Response {
        let record: JobRecord?
        do {
            record = try await self.store.jobRecord(for: jobID)
        } catch {
            throw self.storeUnavailable(error, during: "look-up of job \(jobID)")
        }
        guard let record else { throw Problem.unknownJob(jobID) }
        return .json(.ok, JobStatusBody.json(jobID: jobID, record: record))
    }
}
