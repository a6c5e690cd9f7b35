/// One event of a `text/event-stream` body, as the HTML standard's event-stream interpretation dispatches it.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field; `message` when the event gave none.
    public var type: String
    /// The `data:` lines, joined with line feeds.
    public var data: String
    /// The last `id:` field seen so far in the stream, if any.
    public var lastEventID: String?

    public init(type: String = "message", data: String, lastEventID: String? = nil) {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }
}
