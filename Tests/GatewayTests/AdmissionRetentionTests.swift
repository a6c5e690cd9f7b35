import Foundation
@testable import Gateway
import InferenceJobs
import KinferTestSupport
import ResultStore
import ResultsSink
import ServiceLifecycle
import Testing

@Suite("Admission retention")
struct AdmissionRetentionTests {
    @Test("The retention service sweeps at start: a pending row past retention goes, a fresh one stays; graceful shutdown ends it")
    func sweepsAtStartAndStopsOnShutdown() async throws {
        try await withGateway { gateway in
            try await gateway.store.recordAccepted(jobID: "old-pending", key: nil, at: Date().addingTimeInterval(-8 * 86_400))
            try await gateway.store.recordAccepted(jobID: "new-pending", key: nil, at: Date())
            #expect(try await gateway.store.jobRecord(for: "old-pending") != nil)
            let retention = AdmissionRetention(store: gateway.store, logger: quietLogger)
            let group = ServiceGroup(configuration: .init(services: [.init(service: retention)], logger: quietLogger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await waitUntil("the old pending row is deleted", timeout: .seconds(10)) {
                    try await gateway.store.jobRecord(for: "old-pending") == nil
                }
                #expect(try await gateway.store.jobRecord(for: "new-pending") != nil)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
