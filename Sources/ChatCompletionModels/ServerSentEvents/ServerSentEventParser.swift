/// Turns the bytes of a `text/event-stream` body into events, in whatever pieces the bytes arrive.
///
/// Follows the HTML standard's interpretation: lines end in CRLF, LF or CR (a CRLF split between two pieces is one
/// line end); a line starting with `:` is a comment; `field: value` loses one space after the colon; `data` lines
/// accumulate, joined with line feeds; an empty line dispatches the event, unless it has no data. An event not
/// ended by an empty line when the body ends is dropped, as the standard says, so a cut stream never yields a
/// half event.
///
/// Pure and synchronous, so that the splitting and joining rules are tested without a socket.
public struct ServerSentEventParser: Sendable {
    /// The longest line accepted; a longer one means the body is not an event stream worth reading.
    public let maxLineBytes: Int

    private var line: [UInt8] = []
    /// The previous piece ended in CR: an LF starting this one ends nothing more.
    private var afterCR = false
    private var atStart = true
    private var type = ""
    private var data = ""
    private var hasData = false
    private var lastEventID: String?

    /// - Parameter maxLineBytes: Defaults to 1 MiB.
    public init(maxLineBytes: Int = 1 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Why a body could not be parsed.
    public struct LineTooLong: Error, Sendable, Hashable {
        public let maxLineBytes: Int
    }

    /// Parses the next piece of the body; returns the events it completed, in order.
    ///
    /// - Throws: ``LineTooLong`` when a line grows past ``maxLineBytes``.
    public mutating func parse(_ bytes: some Sequence<UInt8>) throws(LineTooLong) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n") where self.afterCR:
                self.afterCR = false
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                self.afterCR = byte == UInt8(ascii: "\r")
                if let event = self.endLine() { events.append(event) }
            default:
                self.afterCR = false
                guard self.line.count < self.maxLineBytes else { throw LineTooLong(maxLineBytes: self.maxLineBytes) }
                self.line.append(byte)
            }
        }
        return events
    }

    /// Processes one complete line; returns the event an empty line dispatches.
    private mutating func endLine() -> ServerSentEvent? {
        defer { self.line.removeAll(keepingCapacity: true) }
        if self.atStart {
            self.atStart = false
            if self.line.starts(with: [0xEF, 0xBB, 0xBF]) { self.line.removeFirst(3) }  // a byte order mark
        }
        guard !self.line.isEmpty else { return self.dispatch() }
        guard self.line[0] != UInt8(ascii: ":") else { return nil }
        let colon = self.line.firstIndex(of: UInt8(ascii: ":"))
        let field = String(decoding: self.line[..<(colon ?? self.line.endIndex)], as: UTF8.self)
        var valueStart = colon.map { $0 + 1 } ?? self.line.endIndex
        if valueStart < self.line.endIndex, self.line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = String(decoding: self.line[valueStart...], as: UTF8.self)
        switch field {
        case "data":
            if self.hasData { self.data += "\n" }
            self.data += value
            self.hasData = true
        case "event":
            self.type = value
        case "id" where !value.contains("\u{0}"):
            self.lastEventID = value
        default:
            break  // `retry` and unknown fields: nothing a one-shot client uses
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            self.type = ""
            self.data = ""
            self.hasData = false
        }
        guard self.hasData else { return nil }
        return ServerSentEvent(type: self.type.isEmpty ? "message" : self.type, data: self.data, lastEventID: self.lastEventID)
    }
}
