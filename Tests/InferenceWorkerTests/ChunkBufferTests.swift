@testable import InferenceWorker
import Testing

@Suite("Stream records: which tokens share one, and when it goes")
struct ChunkBufferTests {
    let start = ContinuousClock.now

    @Test("The first token goes at once; tokens faster than the linger wait and share the next record")
    func fastTokensShareRecords() {
        var buffer = ChunkBuffer(linger: .milliseconds(10))
        let due1 = buffer.append("a", now: start)
        #expect(due1)
        let first = buffer.record
        #expect(first == ChunkBuffer.Record(index: 0, tokens: ["a"]))
        buffer.published(first!, now: start)
        let due2 = buffer.append(" b", now: start + .milliseconds(4))
        #expect(!due2)
        let due3 = buffer.append(" c", now: start + .milliseconds(8))
        #expect(!due3)
        #expect(buffer.record == ChunkBuffer.Record(index: 1, tokens: [" b", " c"]))
        buffer.published(buffer.record!, now: start + .milliseconds(10))
        #expect(buffer.record == nil)
        #expect(buffer.nextIndex == 3)
    }

    @Test("A token later than the linger after the last record goes at once, with any still waiting")
    func slowTokensGoAtOnce() {
        var buffer = ChunkBuffer(linger: .milliseconds(10))
        _ = buffer.append("a", now: start)
        buffer.published(buffer.record!, now: start)
        let due4 = buffer.append(" b", now: start + .milliseconds(3))
        #expect(!due4)
        let due5 = buffer.append(" c", now: start + .milliseconds(50))
        #expect(due5)
        #expect(buffer.record == ChunkBuffer.Record(index: 1, tokens: [" b", " c"]))
    }

    @Test("Tokens appended while a record is being handed over stay for the next, with the right index")
    func partialPublication() {
        var buffer = ChunkBuffer(linger: .milliseconds(10))
        _ = buffer.append("a", now: start)
        let record = buffer.record!
        _ = buffer.append(" b", now: start)
        buffer.published(record, now: start)
        #expect(buffer.record == ChunkBuffer.Record(index: 1, tokens: [" b"]))
    }
}
