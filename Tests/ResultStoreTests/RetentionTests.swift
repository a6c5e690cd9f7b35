import KinferTestSupport
import Foundation
import ResultStore
import Testing

@Suite("Retention")
struct RetentionTests {
    @Test(arguments: StoreKind.allCases)
    func deletesExactlyTheRowsCompletedBeforeTheCutoff(kind: StoreKind) async throws {
        let cutoffMilliseconds = ResultFixtures.baseMilliseconds + 1_000_000
        // 1,000 jobs, one completed every 1.5 s around the cutoff; job 0 a whole day before, the last one at exactly
        // the cutoff (kept: only rows completed strictly before it go).
        let completions = (0..<1_000).map { index -> Int64 in
            switch index {
            case 0: cutoffMilliseconds - 86_400_000
            case 999: cutoffMilliseconds
            default: cutoffMilliseconds - 1_200_000 + Int64(index) * 1_500
            }
        }
        let results = completions.enumerated().map { index, completed in
            StoredResult(
                result: ResultFixtures.result(index, completedAtMilliseconds: completed),
                partition: 0,
                offset: Int64(index)
            )
        }
        let expired = Set(results.filter { completions[Int($0.offset)] < cutoffMilliseconds }.map(\.jobID))
        #expect(expired.count == 800)

        try await withFreshStore(kind) { store, _ in
            _ = try await store.write(results)
            let deleted = try await store.deleteExpired(
                completedBefore: ResultFixtures.date(milliseconds: cutoffMilliseconds),
                batchSize: 64
            )
            #expect(deleted == expired.count)
            #expect(try await store.count() == results.count - expired.count)
            for result in results {
                let remaining = try await store.result(for: result.jobID)
                #expect(remaining == (expired.contains(result.jobID) ? nil : result))
            }
            #expect(
                try await store.deleteExpired(completedBefore: ResultFixtures.date(milliseconds: cutoffMilliseconds), batchSize: 64)
                    == 0
            )
        }
    }
}
