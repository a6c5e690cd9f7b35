import KinferTestSupport
import Foundation
import InferenceJobs
import ResultStore
import Testing

/// The sink's central promise: however often a result is delivered, its job gets one row, holding the first result.
@Suite("Exactly one row per job")
struct ExactlyOneRowTests {
    static let jobCount = 50_000
    static let batchSize = 1_000
    static let partitionCount: Int32 = 6

    @Test(arguments: StoreKind.allCases)
    func repeatsAreAbsorbedAndTheFirstResultWins(kind: StoreKind) async throws {
        let (batches, repeatsSent) = Self.deliveries()
        #expect(repeatsSent == 6_000)

        try await withFreshStore(kind) { store, _ in
            var inserted = 0
            var absorbed = 0
            for batch in batches {
                let outcome = try await store.write(batch)
                #expect(outcome.inserted + outcome.duplicatesAbsorbed == batch.count)
                inserted += outcome.inserted
                absorbed += outcome.duplicatesAbsorbed
            }

            #expect(inserted == Self.jobCount)
            #expect(absorbed == repeatsSent)
            #expect(try await store.count() == Self.jobCount)

            let firsts = Self.firstDeliveries(in: batches)
            #expect(firsts.count == Self.jobCount)
            #expect(firsts.values.allSatisfy { $0.result == ResultFixtures.result(Int($0.jobID.dropFirst(4))!) })
            // Read back every job that was delivered more than once (where the first must win), and every 7th of
            // the rest: one look-up per row made this the slowest test of the suite, and a single delivery can only
            // have stored itself (the count above rules out a lost or extra row).
            let checked = firsts.filter { Self.wasRepeated($0.value.result) || Int($0.key.dropFirst(4))! % 7 == 0 }
            #expect(checked.count > 5_000)
            let mismatches = try await Self.jobsNotHolding(checked, in: store)
            #expect(mismatches.isEmpty, "\(mismatches.count) jobs do not hold their first result, e.g. \(mismatches.prefix(5))")
        }
    }

    /// 50,000 jobs delivered in batches of 1,000, in the order a consumer might see them:
    /// every 10th job comes twice, every 50th three times; a repeat carries different content and a higher offset,
    /// and lands in the same batch as the original (every 20th job), a later batch, or after everything else.
    /// Each batch is then shuffled, so only the offsets say which delivery came first.
    static func deliveries() -> (batches: [[StoredResult]], repeatsSent: Int) {
        var stream: [(order: Double, index: Int, variant: Int)] = []
        for index in 0..<jobCount {
            stream.append((Double(index), index, 0))
            if index % 10 == 0 {
                stream.append((Double(index) + (index % 20 == 0 ? 0.5 : 3_500.5), index, 1))
            }
            if index % 50 == 0 {
                stream.append((Double(jobCount + index), index, 2))
            }
        }
        stream.sort { $0.order < $1.order }

        var nextOffset = [Int64](repeating: 0, count: Int(partitionCount))
        let delivered = stream.map { entry in
            let partition = Int32(entry.index % Int(partitionCount))
            defer { nextOffset[Int(partition)] += 1 }
            return StoredResult(
                result: ResultFixtures.result(entry.index, variant: entry.variant),
                partition: partition,
                offset: nextOffset[Int(partition)]
            )
        }
        var generator = SeededGenerator(seed: 42)
        let batches = stride(from: 0, to: delivered.count, by: batchSize).map { start in
            delivered[start..<min(start + batchSize, delivered.count)].shuffled(using: &generator)
        }
        return (batches, delivered.count - jobCount)
    }

    /// Whether `deliveries()` sent the result's job more than once (every 10th job).
    static func wasRepeated(_ result: JobResult) -> Bool {
        Int(result.jobID.dropFirst(4))! % 10 == 0
    }

    /// The delivery with the lowest offset for each job: what its row must hold.
    static func firstDeliveries(in batches: [[StoredResult]]) -> [String: StoredResult] {
        var firsts: [String: StoredResult] = [:]
        for delivery in batches.joined() where firsts[delivery.jobID].map({ $0.offset > delivery.offset }) ?? true {
            firsts[delivery.jobID] = delivery
        }
        return firsts
    }

    /// The IDs of jobs whose row is missing or differs from `expected`, looked up eight at a time.
    static func jobsNotHolding(_ expected: [String: StoredResult], in store: any ResultStore) async throws -> [String] {
        let jobIDs = expected.keys.sorted()
        return try await withThrowingTaskGroup(of: [String].self) { group in
            let lanes = 8
            for lane in 0..<lanes {
                group.addTask {
                    var wrong: [String] = []
                    for jobID in stride(from: lane, to: jobIDs.count, by: lanes).map({ jobIDs[$0] }) {
                        if try await store.result(for: jobID) != expected[jobID] { wrong.append(jobID) }
                    }
                    return wrong
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }.sorted()
        }
    }
}

/// SplitMix64: a deterministic generator, so that a failure can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
