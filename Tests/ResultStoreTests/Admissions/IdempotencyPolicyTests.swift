import Foundation
import ResultStore
import Testing

/// The idempotency rules as a pure value: one claim per line, no database.
@Suite("Idempotency policy")
struct IdempotencyPolicyTests {
    let policy = IdempotencyPolicy(staleAfter: .seconds(10), retention: .seconds(3600))
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    func record(_ state: IdempotencyRecord.State, fingerprint: String = "f1", age: TimeInterval, touched: TimeInterval? = nil) -> IdempotencyRecord {
        IdempotencyRecord(
            key: "k", fingerprint: fingerprint, jobID: "first", state: state,
            createdAt: now.addingTimeInterval(-age), updatedAt: now.addingTimeInterval(-(touched ?? age))
        )
    }

    func decide(_ existing: IdempotencyRecord?, fingerprint: String = "f1") -> (IdempotencyClaim, IdempotencyPolicy.Write) {
        let decision = policy.decide(key: "k", fingerprint: fingerprint, candidateJobID: "new", existing: existing, now: now)
        return (decision.claim, decision.write)
    }

    @Test func aNewKeyIsClaimedWithTheCandidateID() {
        let (claim, write) = decide(nil)
        #expect(claim == .produce(jobID: "new"))
        #expect(write == .insert(IdempotencyRecord(key: "k", fingerprint: "f1", jobID: "new", state: .inProgress, createdAt: now, updatedAt: now)))
    }

    @Test func anAcceptedKeyWithTheSameBodyReplays() {
        #expect(decide(record(.accepted, age: 100)) == (.replay(jobID: "first"), .none))
    }

    @Test func aDifferentBodyIsRefusedWhateverTheState() {
        #expect(decide(record(.accepted, age: 100), fingerprint: "f2") == (.differentBody(jobID: "first"), .none))
        #expect(decide(record(.inProgress, age: 1), fingerprint: "f2") == (.differentBody(jobID: "first"), .none))
    }

    @Test func aFreshInProgressKeyIsInProgress() {
        #expect(decide(record(.inProgress, age: 3)) == (.inProgress(jobID: "first"), .none))
    }

    @Test func aStaleInProgressKeyIsTakenOverWithTheSameJobID() {
        #expect(decide(record(.inProgress, age: 11)) == (.produce(jobID: "first"), .touch(key: "k", updatedAt: now)))
        // Abandoned (touched at the epoch) counts as stale at once.
        let abandoned = IdempotencyRecord(
            key: "k", fingerprint: "f1", jobID: "first", state: .inProgress,
            createdAt: now.addingTimeInterval(-1), updatedAt: Date(timeIntervalSince1970: 0)
        )
        #expect(decide(abandoned) == (.produce(jobID: "first"), .touch(key: "k", updatedAt: now)))
    }

    @Test func aKeyPastRetentionIsNewAgain() {
        let (claim, write) = decide(record(.accepted, fingerprint: "old", age: 3601))
        #expect(claim == .produce(jobID: "new"))
        #expect(write == .insert(IdempotencyRecord(key: "k", fingerprint: "f1", jobID: "new", state: .inProgress, createdAt: now, updatedAt: now)))
    }
}
