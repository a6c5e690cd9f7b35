import Foundation
import KinferTestSupport
import ResultStore
import Testing

@Suite("PostgreSQL outage")
struct PostgresOutageTests {
    static let operationTimeout: Duration = .seconds(2)

    /// The server stops mid-stream: writes fail quickly with a retryable error, and once it is back the same batch
    /// is retried until it goes through, with every result stored exactly once.
    @Test func writesFailRetryablyWhileTheServerIsDownAndResumeAfterwards() async throws {
        let batches = (0..<3).map { batch in
            (0..<500).map { index in
                let job = batch * 500 + index
                return StoredResult(result: ResultFixtures.result(job), partition: 0, offset: Int64(job))
            }
        }

        try await withTemporaryPostgres { server in
            var configuration = try PostgresResultStore.Configuration(url: server.url)
            configuration.operationTimeout = Self.operationTimeout
            let store = PostgresResultStore(configuration: configuration, logger: quietLogger)
            try await withRunningResultStore(store) { store in
                try await store.migrate()
                #expect(try await store.write(batches[0]).inserted == 500)

                try await server.stop()
                let clock = ContinuousClock()
                let started = clock.now
                let error = await #expect(throws: ResultStoreError.self) { try await store.write(batches[1]) }
                #expect(error?.isRetryable == true)
                #expect(clock.now - started < Self.operationTimeout + .seconds(3))
                #expect(await store.isReachable() == false)

                try await server.start()
                var outcome: WriteOutcome?
                try await waitUntil("the write after the restart succeeds", timeout: .seconds(30), interval: .milliseconds(200)) {
                    outcome = try? await store.write(batches[1])
                    return outcome != nil
                }
                #expect(outcome?.inserted == 500)
                #expect(try await store.write(batches[2]) == WriteOutcome(inserted: 500, duplicatesAbsorbed: 0))
                #expect(try await store.write(batches[1]) == WriteOutcome(inserted: 0, duplicatesAbsorbed: 500))

                #expect(try await store.count() == 1_500)
                for stored in batches.joined() where stored.offset % 50 == 0 {
                    #expect(try await store.result(for: stored.jobID) == stored)
                }
                #expect(await store.isReachable())
            }
        }
    }
}
