import Foundation
import InferenceJobs
import KinferTestSupport
import ResultStore
import Testing

/// The PostgreSQL store writes a batch of new jobs with `COPY` and falls back to the idempotent insert when one of
/// them already has a row (or `COPY` cannot carry a row): both must store the same thing and count exactly.
@Suite("PostgreSQL COPY and its fallback")
struct PostgresCopyTests {
    /// Results whose text needs escaping in `COPY`, with empty strings and `NULL`s side by side.
    static func awkward(_ index: Int) -> StoredResult {
        var result = ResultFixtures.result(index)
        result.jobID = "job-\(index)-\t\\N\n\r\"'-ünï-🙂"
        result.model = "model\\\\two backslashes"
        result.submittedAt = Date(timeIntervalSince1970: -1.234567)
        switch index % 3 {
        case 0:
            result.output = ModelOutput(label: "\\N", confidence: 0.1, scores: [.infinity, -.infinity, 1e-300, -0.0, 0.30000000000000004])
        case 1:
            result.error = JobError(errorClass: .fatal, message: "")
        default:
            result.error = JobError(errorClass: JobErrorClass(rawValue: "custom\tclass"), message: "line one\r\nline two \\ end")
        }
        return StoredResult(result: result, partition: Int32(index % 4), offset: Int64(index))
    }

    @Test("COPY (all new) and the fallback (one stored job) store the same awkward results, and count exactly")
    func copyAndFallbackStoreTheSame() async throws {
        try await withTemporaryPostgres { server in
            try await withResultStore(url: server.url, logger: quietLogger) { store in
                let copied = (0..<30).map(Self.awkward)
                #expect(try await store.write(copied) == WriteOutcome(inserted: 30, duplicatesAbsorbed: 0))

                // Job 30 is stored first, so the next batch conflicts and takes the fallback; job 31 comes twice in it.
                let first30 = Self.awkward(30)
                #expect(try await store.write([first30]) == WriteOutcome(inserted: 1, duplicatesAbsorbed: 0))
                var later30 = Self.awkward(30)
                later30.result.worker = "a later worker"
                later30.offset = 100
                var repeat31 = Self.awkward(31)
                repeat31.result.attempts = 9
                repeat31.offset = 101
                let fallback = [later30] + (31..<60).map(Self.awkward) + [repeat31]
                #expect(try await store.write(fallback) == WriteOutcome(inserted: 29, duplicatesAbsorbed: 2))

                #expect(try await store.count() == 60)
                for expected in copied + [first30] + (31..<60).map(Self.awkward) {
                    #expect(try await store.result(for: expected.jobID) == expected)
                }
                // NULL and the empty string stay apart in both paths: 10 empty messages per 30 jobs, no NULL label
                // where an output exists.
                try await server.execute("""
                    DO $$ BEGIN
                        IF (SELECT count(*) FROM inference_results WHERE error_message = '') <> 20 THEN RAISE EXCEPTION 'empty messages'; END IF;
                        IF (SELECT count(*) FROM inference_results WHERE error_message IS NULL) <> 20 THEN RAISE EXCEPTION 'NULL messages'; END IF;
                        IF (SELECT count(*) FROM inference_results WHERE label = E'\\\\N') <> 20 THEN RAISE EXCEPTION 'labels'; END IF;
                    END $$
                    """)
            }
        }
    }

    @Test("A result whose time COPY cannot carry is stored through the fallback")
    func farFutureTimestamp() async throws {
        try await withTemporaryPostgres { server in
            try await withResultStore(url: server.url, logger: quietLogger) { store in
                var far = ResultFixtures.result(1)
                far.completedAt = Date(timeIntervalSince1970: 400_000_000_000)  // in the year 14,645
                let batch = [StoredResult(result: far, partition: 0, offset: 0), StoredResult(result: ResultFixtures.result(2), partition: 0, offset: 1)]
                let first = try await store.write(batch)
                #expect(first == WriteOutcome(inserted: 2, duplicatesAbsorbed: 0))
                #expect(try await store.result(for: far.jobID) == batch[0])
                #expect(try await store.write(batch) == WriteOutcome(inserted: 0, duplicatesAbsorbed: 2))
            }
        }
    }
}
