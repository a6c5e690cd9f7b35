import KinferTestSupport
import Foundation
import ResultStore
import Testing

@Suite("Migrations")
struct MigrationTests {
    /// Two stores on one database, as two sink processes would be, migrating at the same time and then again:
    /// no error, and the rows written in between survive.
    @Test(arguments: StoreKind.allCases)
    func areIdempotentAndSafeToRunConcurrently(kind: StoreKind) async throws {
        let first = (0..<10).map { StoredResult(result: ResultFixtures.result($0), partition: 0, offset: Int64($0)) }
        let second = (10..<20).map { StoredResult(result: ResultFixtures.result($0), partition: 0, offset: Int64($0)) }

        try await withFreshStore(kind) { store, url in
            #expect(try await store.write(first).inserted == 10)
            try await withRunningResultStore(try makeResultStore(url: url, logger: quietLogger)) { other in
                async let migrated: Void = store.migrate()
                async let otherMigrated: Void = other.migrate()
                _ = try await (migrated, otherMigrated)
                try await store.migrate()
                try await other.migrate()

                #expect(try await other.write(second + first) == WriteOutcome(inserted: 10, duplicatesAbsorbed: 10))
                #expect(try await store.count() == 20)
                #expect(try await store.result(for: "job-15") == second[5])
                #expect(try await other.result(for: "job-5") == first[5])
            }
        }
    }

    /// Two stores migrating a database that has no schema yet, at the same moment.
    @Test(arguments: StoreKind.allCases)
    func concurrentFirstMigrationsCreateTheSchemaOnce(kind: StoreKind) async throws {
        try await withEmptyDatabase(kind) { url in
            try await withRunningResultStore(try makeResultStore(url: url, logger: quietLogger)) { one in
                try await withRunningResultStore(try makeResultStore(url: url, logger: quietLogger)) { two in
                    async let migrated: Void = one.migrate()
                    async let otherMigrated: Void = two.migrate()
                    _ = try await (migrated, otherMigrated)
                    let result = StoredResult(result: ResultFixtures.result(1), partition: 0, offset: 0)
                    #expect(try await one.write([result]) == WriteOutcome(inserted: 1, duplicatesAbsorbed: 0))
                    #expect(try await two.result(for: result.jobID) == result)
                }
            }
        }
    }
}
