import ChatCompletionModels
import Testing

@Suite struct ServerSentEventParserTests {
    /// Parses `text` delivered in pieces of `size` bytes; returns every event.
    func events(_ text: String, pieces size: Int = .max) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        let bytes = Array(text.utf8)
        var events: [ServerSentEvent] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + size)
            events += try parser.parse(bytes[start..<end])
            start = end
        }
        return events
    }

    static let stream = "data: {\"a\":1}\n\n: keep-alive\n\ndata: second\n\ndata: [DONE]\n\n"

    @Test func eventsEndAtBlankLines() throws {
        #expect(try self.events(Self.stream).map(\.data) == ["{\"a\":1}", "second", "[DONE]"])
    }

    /// Every split of the stream, down to one byte at a time, gives the same events.
    @Test(arguments: [1, 2, 3, 5, 7, 16])
    func piecesOfAnySizeGiveTheSameEvents(size: Int) throws {
        #expect(try self.events(Self.stream, pieces: size) == self.events(Self.stream))
        let crlf = Self.stream.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try self.events(crlf, pieces: size) == self.events(Self.stream))
    }

    @Test func crlfSplitBetweenPiecesIsOneLineEnd() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.parse(Array("data: a\r".utf8)).isEmpty)
        // The LF completes the CRLF of the data line; the CR after it is the blank line.
        #expect(try parser.parse(Array("\n\r".utf8)) == [ServerSentEvent(data: "a")])
        #expect(try parser.parse(Array("\ndata: b\r\r".utf8)) == [ServerSentEvent(data: "b")])
    }

    @Test func lineEndsMayBeLFCRLFOrCR() throws {
        #expect(try self.events("data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\r\n\n").map(\.data) == ["a", "b", "c", "d"])
    }

    @Test func commentsAndUnknownFieldsAreIgnored() throws {
        let events = try self.events(": hello\nretry: 100\nfoo: bar\ndata: x\n:comment inside\n\n")
        #expect(events == [ServerSentEvent(data: "x")])
    }

    @Test func multiLineDataIsJoinedWithLineFeeds() throws {
        #expect(try self.events("data: one\ndata:two\ndata:  three\ndata\n\n").map(\.data) == ["one\ntwo\n three\n"])
    }

    @Test func eventTypeAndIDAreKept() throws {
        let events = try self.events("event: error\nid: 7\ndata: oops\n\ndata: next\n\n")
        #expect(events == [
            ServerSentEvent(type: "error", data: "oops", lastEventID: "7"),
            ServerSentEvent(type: "message", data: "next", lastEventID: "7"),
        ])
    }

    @Test func anEventWithoutDataIsNotDispatched() throws {
        #expect(try self.events("event: ping\n\n\n\nid: 1\n\n").isEmpty)
        #expect(try self.events("data:\n\n") == [ServerSentEvent(data: "")])
    }

    @Test func anEventCutBeforeItsBlankLineIsNotDispatched() throws {
        #expect(try self.events("data: whole\n\ndata: half").map(\.data) == ["whole"])
        #expect(try self.events("data: whole\n\ndata: half\n").map(\.data) == ["whole"])
    }

    @Test func multiByteCharactersSplitAcrossPiecesSurvive() throws {
        let text = "data: {\"content\":\"é🙂漢\"}\n\n"
        #expect(try self.events(text, pieces: 1).map(\.data) == ["{\"content\":\"é🙂漢\"}"])
    }

    @Test func aByteOrderMarkAtTheStartIsDropped() throws {
        #expect(try self.events("\u{FEFF}data: a\n\n").map(\.data) == ["a"])
    }

    @Test func overlongLinesAreRefused() {
        var parser = ServerSentEventParser(maxLineBytes: 8)
        #expect(throws: ServerSentEventParser.LineTooLong.self) { try parser.parse(Array("data: 0123456789".utf8)) }
    }
}
