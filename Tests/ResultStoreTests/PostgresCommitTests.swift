import Foundation
import KinferTestSupport
import ResultStore
import Testing

@Suite("PostgreSQL writes and their commit")
struct PostgresCommitTests {
    /// The sink commits Kafka offsets once `write` returns, so `write` must not return before PostgreSQL has
    /// committed. A deferred constraint trigger fails only at commit, after the insert already counted its rows.
    @Test("A commit that fails fails the write, and no row of the batch is stored")
    func aFailedCommitFailsTheWrite() async throws {
        try await withTemporaryPostgres { server in
            let store = PostgresResultStore(configuration: try .init(url: server.url), logger: quietLogger)
            try await withRunningResultStore(store) { store in
                try await store.migrate()
                try await server.execute("""
                    CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql
                        AS $$ BEGIN RAISE EXCEPTION 'refused at commit: %', NEW.job_id; END $$;
                    CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON inference_results
                        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.job_id LIKE 'refused-%')
                        EXECUTE FUNCTION refuse_at_commit();
                    """)
                var refused = ResultFixtures.result(10)
                refused.jobID = "refused-10"
                let batch = (0..<10).map { StoredResult(result: ResultFixtures.result($0), partition: 0, offset: Int64($0)) }
                    + [StoredResult(result: refused, partition: 0, offset: 10)]

                await #expect(throws: (any Error).self) { try await store.write(batch) }
                #expect(try await store.count() == 0)
                #expect(try await store.write(Array(batch.prefix(10))) == WriteOutcome(inserted: 10, duplicatesAbsorbed: 0))
            }
        }
    }
}
