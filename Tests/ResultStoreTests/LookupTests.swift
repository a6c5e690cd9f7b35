import KinferTestSupport
import Foundation
import InferenceJobs
import ResultStore
import Testing

@Suite("Status look-up")
struct LookupTests {
    @Test(arguments: StoreKind.allCases)
    func returnsTheStoredResultAndNilForUnknownJobs(kind: StoreKind) async throws {
        var awkward = ResultFixtures.result(3)
        awkward.jobID = "job-\"quoted\"-\\-ünïcödé-🙂"
        awkward.output = ModelOutput(
            label: "tab\tnewline\nquote\"backslash\\bell\u{07}",
            confidence: 0.1,
            scores: [0.1, 1e-300, -0.0, 5e300, .infinity, -.infinity, 0.30000000000000004]
        )
        var failed = ResultFixtures.result(4, variant: 1)
        failed.error?.message = "line one\r\nline two\ttabbed \\N not null, backslash \\ end"
        let stored = [
            StoredResult(result: failed, partition: 3, offset: 12),
            StoredResult(result: ResultFixtures.result(0), partition: 0, offset: 10),
            StoredResult(result: ResultFixtures.result(1), partition: 1, offset: 11),
            StoredResult(result: ResultFixtures.result(2), partition: 2, offset: Int64.max),
            StoredResult(result: awkward, partition: Int32.max, offset: 0),
        ]

        try await withFreshStore(kind) { store, _ in
            let outcome = try await store.write(stored)
            #expect(outcome == WriteOutcome(inserted: 5, duplicatesAbsorbed: 0))
            for expected in stored {
                #expect(try await store.result(for: expected.jobID) == expected)
            }
            #expect(try await store.result(for: "job-never-submitted") == nil)
            #expect(try await store.result(for: "") == nil)
        }
    }

    @Test("U+0000, which PostgreSQL's text and jsonb refuse, is stored as U+FFFD in every text field, alike in both stores", arguments: StoreKind.allCases)
    func nulCharactersAreStoredAsReplacementCharacters(kind: StoreKind) async throws {
        var withNUL = ResultFixtures.result(5)
        withNUL.jobID = "job-\u{0}-5"
        withNUL.status = .completed
        withNUL.error = nil
        withNUL.output = ModelOutput(label: "seven\u{0}", confidence: 0.5, scores: [0.5, 0.5])
        withNUL.worker = "\u{0}worker"
        var failedWithNUL = ResultFixtures.result(6)
        failedWithNUL.status = .failed
        failedWithNUL.output = nil
        failedWithNUL.error = JobError(errorClass: .fatal, message: "bad\u{0}input")
        try await withFreshStore(kind) { store, _ in
            let outcome = try await store.write([StoredResult(result: withNUL, partition: 0, offset: 1), StoredResult(result: failedWithNUL, partition: 0, offset: 2)])
            #expect(outcome == WriteOutcome(inserted: 2, duplicatesAbsorbed: 0))
            let stored = try #require(try await store.result(for: withNUL.jobID), "found by the ID it was submitted with")
            #expect(stored.result.jobID == "job-\u{FFFD}-5")
            #expect(stored.result.output?.classification?.label == "seven\u{FFFD}")
            #expect(stored.result.worker == "\u{FFFD}worker")
            #expect(try await store.result(for: failedWithNUL.jobID)?.result.error?.message == "bad\u{FFFD}input")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anEmptyBatchWritesNothing(kind: StoreKind) async throws {
        try await withFreshStore(kind) { store, _ in
            let outcome = try await store.write([])
            #expect(outcome == WriteOutcome(inserted: 0, duplicatesAbsorbed: 0))
            #expect(try await store.count() == 0)
            #expect(await store.isReachable())
        }
    }
}
