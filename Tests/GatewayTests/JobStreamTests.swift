import InferenceJobs
import Testing

@testable import Gateway

@Suite("A job's stream, as a state machine")
struct JobStreamTests {
    func chunk(_ run: String, _ index: Int, _ tokens: [String], attempt: Int = 1) -> StreamChunk {
        StreamChunk(jobID: "job", attempt: attempt, run: run, index: index, tokens: tokens)
    }

    @Test("Records of one run extend the stream in order; a repeated record adds nothing; a gap is not placed")
    func oneRun() {
        var stream = JobStream()
        #expect(stream.receive(chunk("a", 0, ["The", " queue"])) == .superseded(previousRun: nil, extended: 0..<2))
        #expect(stream.receive(chunk("a", 2, [" holds"])) == .extended(2..<3))
        #expect(stream.receive(chunk("a", 1, [" queue", " holds"])) == .ignored(.known))
        #expect(stream.receive(chunk("a", 1, [" queue", " holds", " every"])) == .extended(3..<4))
        #expect(stream.receive(chunk("a", 9, [" job"])) == .ignored(.gap))
        #expect(stream.tokens == ["The", " queue", " holds", " every"])
        #expect(stream.text(before: 2) == "The queue")
        #expect(stream.tokens(from: 3) == [" every"])
        #expect(stream.tokens(from: 7)?.isEmpty == true)
    }

    @Test("A repeat's index-0 record supersedes: known tokens stay, the new run continues them, the old run's stragglers are ignored")
    func supersedingRun() {
        var stream = JobStream()
        _ = stream.receive(chunk("first", 0, ["a", "b", "c"]))
        _ = stream.receive(chunk("first", 3, ["d", "e"]))
        #expect(stream.receive(chunk("second", 0, ["a", "b", "c"], attempt: 2)) == .superseded(previousRun: "first", extended: 5..<5))
        #expect(stream.run == "second" && stream.attempt == 2)
        #expect(stream.receive(chunk("second", 3, ["d", "e", "f"])) == .extended(5..<6))
        #expect(stream.receive(chunk("first", 5, ["X"])) == .ignored(.otherRun))
        #expect(stream.receive(chunk("second", 6, ["g"])) == .extended(6..<7))
        #expect(stream.tokens.joined() == "abcdefg")
        // A third run, whose index-0 record arrives last, wins again.
        #expect(stream.receive(chunk("third", 0, ["a"])) == .superseded(previousRun: "second", extended: 7..<7))
        #expect(stream.receive(chunk("second", 7, ["h"])) == .ignored(.otherRun))
    }

    @Test("Joined mid-stream: tokens from the first index seen; what came before is unknown until a new run starts over")
    func joinedMidStream() {
        var stream = JobStream()
        #expect(stream.receive(chunk("a", 4, ["e", "f"])) == .extended(4..<6))
        #expect(stream.firstIndex == 4)
        #expect(stream.tokens(from: 2) == nil)
        #expect(stream.tokens(from: 5) == ["f"])
        #expect(stream.text(before: 5) == nil)
        #expect(stream.receive(chunk("b", 0, ["a", "b"])) == .superseded(previousRun: "a", extended: 0..<2))
        #expect(stream.firstIndex == 0 && stream.tokens == ["a", "b"])
        #expect(stream.text(before: 2) == "ab")
    }
}
