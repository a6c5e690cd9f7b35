import Foundation
import InferenceJobs
import Logging
import ResultStore
import ResultsSink
import Testing

@Suite("kinfer status")
struct StatusTests {
    @Test("prints a stored result, and 'not found' with exit 1 for an unknown job")
    func lookup() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-status-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = JobResult(
            jobID: "job-42", status: .completed, output: ModelOutput(label: "7", confidence: 0.9, scores: [0.1, 0.9]),
            attempts: 1, model: "digits", modelVersion: "1", worker: "w1",
            submittedAt: Date(timeIntervalSince1970: 1_700_000_000), completedAt: Date(timeIntervalSince1970: 1_700_000_001)
        )
        _ = try await withResultStore(url: "sqlite://\(path)", logger: Logger(label: "test")) { store in
            try await store.write([StoredResult(result: result, partition: 0, offset: 0)])
        }

        let found = try await KinferBinary.run(["status", "job-42", "--database", "sqlite://\(path)"], timeout: .seconds(30))
        #expect(found.succeeded, "\(found)")
        #expect(found.standardOutputText.contains("job-42 completed label=7"), "\(found)")

        let json = try await KinferBinary.run(["status", "job-42", "--json"], environment: ["KINFER_DATABASE_URL": "sqlite://\(path)"], timeout: .seconds(30))
        #expect(try JobCodec.decodeResult(Array(json.standardOutput)).jobID == "job-42", "\(json)")

        let missing = try await KinferBinary.run(["status", "job-43", "--database", "sqlite://\(path)"], timeout: .seconds(30))
        #expect(missing.termination == .exited(1), "\(missing)")
        #expect(missing.standardOutputText.contains("not found"))
    }
}
