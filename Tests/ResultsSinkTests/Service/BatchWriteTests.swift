import InferenceJobs
import Testing

@testable import ResultsSink

@Suite("Sink: how a batch gets written")
struct BatchWriteTests {
    let backoff = RetryBackoff(base: .milliseconds(100), maximum: .seconds(5))

    @Test("A batch that commits is written once, then its offsets are stored")
    func writtenOnce() {
        var batch = BatchWrite(count: 4, backoff: backoff)
        #expect(batch.start() == .write(0..<4))
        #expect(batch.writeSucceeded() == .storeOffsets)
    }

    @Test("An empty batch stores its offsets at once (a batch of undecodable messages only)")
    func empty() {
        var batch = BatchWrite(count: 0, backoff: backoff)
        #expect(batch.start() == .storeOffsets)
    }

    @Test("Retryable failures write the same batch again, after a growing pause with jitter, capped")
    func retryableFailuresBackOff() {
        var batch = BatchWrite(count: 4, backoff: backoff)
        #expect(batch.start() == .write(0..<4))
        #expect(batch.writeFailed(retryable: true, reason: "down", jitter: 1) == .retry(0..<4, after: .milliseconds(100)))
        #expect(batch.writeFailed(retryable: true, reason: "down", jitter: 1) == .retry(0..<4, after: .milliseconds(200)))
        #expect(batch.writeFailed(retryable: true, reason: "down", jitter: 0) == .retry(0..<4, after: .milliseconds(200)))
        for _ in 0..<20 { _ = batch.writeFailed(retryable: true, reason: "down", jitter: 1) }
        #expect(batch.writeFailed(retryable: true, reason: "down", jitter: 1) == .retry(0..<4, after: .seconds(5)))
        #expect(batch.writeSucceeded() == .storeOffsets)
    }

    @Test("A non-retryable failure splits the batch in halves, down to the refused result, which is dead-lettered with the reason")
    func refusedResultIsIsolated() {
        var batch = BatchWrite(count: 4, backoff: backoff)
        #expect(batch.start() == .write(0..<4))
        #expect(batch.writeFailed(retryable: false, reason: "check constraint") == .write(0..<2))
        #expect(batch.writeSucceeded() == .write(2..<4))
        #expect(batch.writeFailed(retryable: false, reason: "check constraint") == .write(2..<3))
        #expect(batch.writeFailed(retryable: false, reason: "check constraint") == .deadLetter(2, reason: "check constraint"))
        #expect(batch.deadLettered() == .write(3..<4))
        #expect(batch.writeSucceeded() == .storeOffsets)
    }

    @Test("A single result the store refuses is dead-lettered without another attempt")
    func singleRefused() {
        var batch = BatchWrite(count: 1, backoff: backoff)
        #expect(batch.start() == .write(0..<1))
        #expect(batch.writeFailed(retryable: false, reason: "permission denied") == .deadLetter(0, reason: "permission denied"))
        #expect(batch.deadLettered() == .storeOffsets)
    }

    @Test("A retryable failure while narrowing down retries that half, and the backoff starts over once the store answers")
    func retryableWhileBisecting() {
        var batch = BatchWrite(count: 2, backoff: backoff)
        #expect(batch.start() == .write(0..<2))
        #expect(batch.writeFailed(retryable: true, reason: "down", jitter: 1) == .retry(0..<2, after: .milliseconds(100)))
        #expect(batch.writeFailed(retryable: true, reason: "down", jitter: 1) == .retry(0..<2, after: .milliseconds(200)))
        #expect(batch.writeFailed(retryable: false, reason: "refused") == .write(0..<1))
        #expect(batch.writeFailed(retryable: true, reason: "down", jitter: 1) == .retry(0..<1, after: .milliseconds(100)))
        #expect(batch.writeSucceeded() == .write(1..<2))
        #expect(batch.writeFailed(retryable: false, reason: "refused") == .deadLetter(1, reason: "refused"))
        #expect(batch.deadLettered() == .storeOffsets)
    }

    /// Plays the machine against a store that refuses any write holding a refused index.
    @Test("Every result is written exactly once or dead-lettered, in order, whichever are refused", arguments: [
        Set<Int>(), [0], [99], [3, 4, 5], [0, 50, 99], Set(0..<100), Set(stride(from: 1, to: 100, by: 7)),
    ])
    func everyResultSettledInOrder(refused: Set<Int>) {
        var batch = BatchWrite(count: 100, backoff: backoff)
        var written: [Int] = []
        var deadLettered: [Int] = []
        var transactions = 0
        var action = batch.start()
        while action != .storeOffsets {
            switch action {
            case .write(let range), .retry(let range, _):
                transactions += 1
                if range.contains(where: refused.contains) {
                    action = batch.writeFailed(retryable: false, reason: "refused")
                } else {
                    written += range
                    action = batch.writeSucceeded()
                }
            case .deadLetter(let index, _):
                deadLettered.append(index)
                action = batch.deadLettered()
            case .storeOffsets:
                break
            }
        }
        #expect(written == (0..<100).filter { !refused.contains($0) })
        #expect(deadLettered == refused.sorted())
        #expect(transactions <= 1 + 2 * refused.count * 7, "about 2k·log2(n) more transactions than one")
    }
}
