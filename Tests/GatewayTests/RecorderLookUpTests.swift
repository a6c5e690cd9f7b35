import Foundation
import Gateway
import KinferTestSupport
import Testing

/// The gateway as `kinfer gateway` runs it by default: it writes no pending row for a job without an
/// Idempotency-Key, leaving it to the sink's pending-job recorder, and a look-up that finds nothing waits for the
/// recorder to reach the end of the jobs topic.
@Suite("Look-ups that wait for the pending-job recorder")
struct RecorderLookUpTests {
    static let digitsJob = #"{"features": [\#(Array(repeating: "3", count: 64).joined(separator: ","))]}"#

    @Test("While the recorder is stopped, a job just accepted reads 503 naming its group (the gateway wrote no row); once it runs, jobs accepted by one instance read pending through the other on the first GET and the first event, and an unknown ID reads 404")
    func lookUpsWaitForTheRecorder() async throws {
        let group = uniqueName("pending")
        let configure: (inout GatewayConfiguration.Options) -> Void = { options in
            options.pendingRecorderGroup = group
            options.recorderWaitTimeout = .seconds(3)
        }
        try await withGateway(configure: configure) { first in
            try await first.withSecondInstance(configure: configure) { second in
                let early = try await first.submit(Self.digitsJob)
                try #require(early.status == 202, "\(early.text)")
                let earlyID = try #require(early.object?["job_id"] as? String)
                let unsure = try await first.send(.GET, "/v1/jobs/\(earlyID)", baseURL: second)
                #expect(unsure.status == 503, "\(unsure.text)")
                #expect(unsure.headers["Retry-After"].first == "1")
                #expect((unsure.object?["detail"] as? String)?.contains(group) == true, "\(unsure.text)")
                #expect(unsure.object?["job_id"] as? String == earlyID)

                try await first.withPendingJobRecorder(group: group) { recorder in
                    try await waitUntil("the recorder joins its group", timeout: .seconds(30)) { recorder.hasJoinedGroup }
                    // One GET each, no polling: the look-up itself waits for the recorder to record the job.
                    let caughtUp = try await first.send(.GET, "/v1/jobs/\(earlyID)", baseURL: second)
                    #expect(caughtUp.status == 200, "\(caughtUp.text)")
                    #expect(caughtUp.object?["status"] as? String == "pending", "\(caughtUp.text)")
                    for _ in 0..<20 {
                        let accepted = try await first.submit(Self.digitsJob)
                        try #require(accepted.status == 202, "\(accepted.text)")
                        let jobID = try #require(accepted.object?["job_id"] as? String)
                        let status = try await first.send(.GET, "/v1/jobs/\(jobID)", baseURL: second)
                        #expect(status.status == 200, "\(jobID): \(status.text)")
                        #expect(status.object?["status"] as? String == "pending", "\(jobID): \(status.text)")
                    }
                    let streamed = try await first.submit(Self.digitsJob)
                    let streamedID = try #require(streamed.object?["job_id"] as? String)
                    let events = try await first.followEvents(streamedID, baseURL: second, stopAfterEvents: 1)
                    #expect(events.status == 200)
                    #expect(events.events.first?.name == "status")
                    #expect(events.events.first?.data.contains(#""status":"pending""#) == true, "\(events.events)")

                    let unknown = try await first.send(.GET, "/v1/jobs/never-submitted-\(UUID().uuidString)", baseURL: second)
                    #expect(unknown.status == 404, "\(unknown.text)")
                    #expect(unknown.object?["type"] as? String == "/problems/unknown-job")
                }
            }
        }
    }
}
