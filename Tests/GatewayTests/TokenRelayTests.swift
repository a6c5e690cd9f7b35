import InferenceJobs
import Testing

@testable import Gateway

@Suite("What a client is sent of a stream")
struct TokenRelayTests {
    func read(_ tokens: [String], from index: Int, firstIndex: Int = 0) -> StreamCache.Read {
        var stream = JobStream()
        _ = stream.receive(StreamChunk(jobID: "j", attempt: 1, run: "r", index: firstIndex, tokens: tokens))
        return StreamCache.Read(tokens: stream.tokens(from: index), prefix: stream.text(before: index), nextIndex: stream.nextIndex)
    }

    func text(_ value: String, tokens: Int) -> ModelOutput {
        .text(GeneratedText(text: value, tokens: tokens, finishReason: "stop"))
    }

    @Test("Tokens go out once each, in order; with the result, nothing more when all arrived")
    func inOrder() {
        var relay = TokenRelay(after: nil)
        #expect(relay.take(read(["a", "b"], from: 0)).map(\.text) == ["a", "b"])
        #expect(relay.take(read(["a", "b"], from: 2)).isEmpty)
        let next = relay.take(read(["a", "b", "c"], from: 2))
        #expect(next == [TokenRelay.Token(index: 2, lastIndex: 2, text: "c")])
        #expect(relay.finish(text("abc", tokens: 3), read: read(["a", "b", "c"], from: 3), waited: false) == .complete([]))
    }

    @Test("Resumed after index N: only the tokens after it")
    func resumed() {
        var relay = TokenRelay(after: 1)
        #expect(relay.take(read(["a", "b", "c", "d"], from: 2)).map(\.index) == [2, 3])
        #expect(relay.seenText == "abcd")
    }

    @Test("The result before the last chunks: wait, take what came, then the rest of the text as one token with the last index")
    func resultBeforeChunks() {
        var relay = TokenRelay(after: nil)
        _ = relay.take(read(["a", "b"], from: 0))
        let output = text("ab cd ef", tokens: 5)
        #expect(relay.finish(output, read: read(["a", "b"], from: 2), waited: false) == .partial([]))
        #expect(relay.finish(output, read: read(["a", "b", " cd"], from: 2), waited: false) == .partial([.init(index: 2, lastIndex: 2, text: " cd")]))
        #expect(relay.finish(output, read: read(["a", "b", " cd"], from: 3), waited: true) == .complete([.init(index: 3, lastIndex: 4, text: " ef")]))
        #expect(relay.seenText == "ab cd ef")
        #expect(relay.next == 5)
    }

    @Test("All tokens there by the result: sent, no wait; not generated text: nothing; a resume this instance cannot place: only the result")
    func otherEndings() {
        var relay = TokenRelay(after: nil)
        #expect(relay.finish(text("xy", tokens: 2), read: read(["x", "y", "z"], from: 0), waited: false)
            == .complete([.init(index: 0, lastIndex: 0, text: "x"), .init(index: 1, lastIndex: 1, text: "y")]))
        var classifier = TokenRelay(after: nil)
        #expect(classifier.finish(ModelOutput(label: "7", confidence: 1, scores: [1]), read: nil, waited: false) == .complete([]))
        var nothingKept = TokenRelay(after: nil)
        #expect(nothingKept.finish(text("whole", tokens: 3), read: nil, waited: true) == .complete([.init(index: 0, lastIndex: 2, text: "whole")]))
        var unplaced = TokenRelay(after: 3)
        #expect(unplaced.finish(text("abcdef", tokens: 6), read: read(["e", "f"], from: 4, firstIndex: 4), waited: true)
            == .complete([.init(index: 4, lastIndex: 4, text: "e"), .init(index: 5, lastIndex: 5, text: "f")]))
        var lost = TokenRelay(after: 3)
        #expect(lost.finish(text("abcdef", tokens: 6), read: nil, waited: true) == .complete([]))
    }
}
