import KinferTestSupport
import Foundation
import InferenceJobs
import ResultStore
import Testing

/// The gateway's admissions in both stores: claims, pending rows, results winning over them, retention.
@Suite("Admission store")
struct AdmissionStoreTests {
    let policy = IdempotencyPolicy(staleAfter: .seconds(10))

    @Test(arguments: StoreKind.allCases)
    func claimsFollowThePolicyAcrossStoresOnOneDatabase(kind: StoreKind) async throws {
        try await withEmptyDatabase(kind) { url in
            try await withResultStore(url: url, logger: quietLogger) { _ in }
            let one = try makeJobAdmissionStore(url: url, logger: quietLogger)
            let two = try makeJobAdmissionStore(url: url, logger: quietLogger)
            try await withRunningResultStore(one) { _ in
                try await withRunningResultStore(two) { _ in
                    let now = Date()
                    #expect(try await one.claim(key: "k", fingerprint: "f", candidateJobID: "a", policy: policy, now: now) == .produce(jobID: "a"))
                    // A second gateway, while the first is producing.
                    #expect(try await two.claim(key: "k", fingerprint: "f", candidateJobID: "b", policy: policy, now: now) == .inProgress(jobID: "a"))
                    #expect(try await two.claim(key: "k", fingerprint: "g", candidateJobID: "b", policy: policy, now: now) == .differentBody(jobID: "a"))
                    try await one.recordAccepted(jobID: "a", key: "k", at: now)
                    #expect(try await two.claim(key: "k", fingerprint: "f", candidateJobID: "c", policy: policy, now: now) == .replay(jobID: "a"))
                    #expect(try await two.jobRecord(for: "a") == .pending(acceptedAt: Date(unixMicrosecondsRounded: now)))
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aStaleOrAbandonedClaimIsTakenOverWithTheSameJobID(kind: StoreKind) async throws {
        try await withFreshAdmissionStore(kind) { store in
            let start = Date()
            #expect(try await store.claim(key: "k", fingerprint: "f", candidateJobID: "a", policy: policy, now: start) == .produce(jobID: "a"))
            // The gateway crashed: eleven seconds later the claim is stale.
            let later = start.addingTimeInterval(11)
            #expect(try await store.claim(key: "k", fingerprint: "f", candidateJobID: "b", policy: policy, now: later) == .produce(jobID: "a"))
            #expect(try await store.claim(key: "k", fingerprint: "f", candidateJobID: "b", policy: policy, now: later) == .inProgress(jobID: "a"))
            // The produce failed: abandoned, the next retry takes over at once.
            try await store.abandon(key: "k")
            #expect(try await store.claim(key: "k", fingerprint: "f", candidateJobID: "c", policy: policy, now: later) == .produce(jobID: "a"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aResultWinsOverAPendingRow(kind: StoreKind) async throws {
        try await withFreshAdmissionStore(kind) { store in
            let result = StoredResult(result: ResultFixtures.result(1), partition: 0, offset: 0)
            #expect(try await store.jobRecord(for: result.jobID) == nil)
            try await store.recordAccepted(jobID: result.jobID, key: nil, at: Date())
            guard case .pending = try await store.jobRecord(for: result.jobID) else {
                Issue.record("expected pending")
                return
            }
            #expect(try await store.write([result]) == WriteOutcome(inserted: 1, duplicatesAbsorbed: 0))
            #expect(try await store.jobRecord(for: result.jobID) == .finished(result))
            // A pending row recorded after the result never hides it, and is not even written.
            try await store.recordAccepted(jobID: result.jobID, key: nil, at: Date())
            #expect(try await store.jobRecord(for: result.jobID) == .finished(result))
            #expect(try await store.count() == 1)
        }
    }

    /// The sink's pending-job recorder: a row for each job with neither a result nor a row, in one batch, however
    /// often the batch is recorded again.
    @Test(arguments: StoreKind.allCases)
    func pendingJobsFromTheTopicAreRecordedOnceAndNeverOverAResult(kind: StoreKind) async throws {
        try await withFreshAdmissionStore(kind) { store in
            let finished = StoredResult(result: ResultFixtures.result(1), partition: 0, offset: 0)
            _ = try await store.write([finished])
            let seen = Date(timeIntervalSince1970: 1_796_209_200.123)
            let jobs = [finished.jobID, "py-1", "py-2", "py-1"].map { PendingJob(jobID: $0, acceptedAt: seen) }
            #expect(try await store.recordPending(jobs) == 2)
            #expect(try await store.recordPending(jobs) == 0, "a batch recorded again adds nothing")
            #expect(try await store.recordPending([]) == 0)
            #expect(try await store.jobRecord(for: "py-1") == .pending(acceptedAt: seen))
            #expect(try await store.jobRecord(for: "py-2") == .pending(acceptedAt: seen))
            #expect(try await store.jobRecord(for: finished.jobID) == .finished(finished))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func retentionDeletesOldKeysAndSupersededPendingRows(kind: StoreKind) async throws {
        try await withFreshAdmissionStore(kind) { store in
            let old = Date().addingTimeInterval(-100_000)
            let now = Date()
            _ = try await store.claim(key: "old", fingerprint: "f", candidateJobID: "x", policy: policy, now: old)
            _ = try await store.claim(key: "new", fingerprint: "f", candidateJobID: "y", policy: policy, now: now)
            try await store.recordAccepted(jobID: "x", key: "old", at: old)
            try await store.recordAccepted(jobID: "job-2", key: nil, at: now)
            try await store.recordAccepted(jobID: "y", key: "new", at: now)
            _ = try await store.write([StoredResult(result: ResultFixtures.result(2), partition: 0, offset: 0)])

            let cutoff = now.addingTimeInterval(-86_400)
            // The old key, the old pending row, and job-2's pending row superseded by its result.
            #expect(try await store.deleteExpiredAdmissions(keysCreatedBefore: cutoff, pendingAcceptedBefore: cutoff) == 3)
            #expect(try await store.jobRecord(for: "x") == nil)
            guard case .pending = try await store.jobRecord(for: "y") else {
                Issue.record("expected y pending")
                return
            }
            #expect(try await store.claim(key: "new", fingerprint: "f", candidateJobID: "z", policy: policy, now: now) == .replay(jobID: "y"))
        }
    }
}

/// Runs `body` with a running, migrated admission store of `kind` on an empty database of its own.
func withFreshAdmissionStore<Result: Sendable>(
    _ kind: StoreKind,
    _ body: (any JobAdmissionStore) async throws -> Result
) async throws -> Result {
    try await withEmptyDatabase(kind) { url in
        let store = try makeJobAdmissionStore(url: url, logger: quietLogger)
        return try await withRunningResultStore(store) { _ in
            try await store.migrate()
            return try await body(store)
        }
    }
}

extension Date {
    /// `date` at the stores' precision, whole microseconds.
    init(unixMicrosecondsRounded date: Date) {
        self.init(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
    }
}
