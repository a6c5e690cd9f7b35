import Foundation
import InferenceJobs

/// What `GET /v1/jobs/{id}/events` sends, as pure values: tested without a server.
///
/// The events, in order: `status` (`{"job_id", "status"}`) on connect, with `id: status`; for a job that generates
/// text, one `token` event per token (`{"token", "index"}`), whose `id` is the token's index; then the `result` (the
/// `GET` body of the finished job), with `id: result`, after which the server ends the stream. The IDs say where a
/// client is, whichever instance served it, so `Last-Event-ID` resumes exactly on any instance without remembering
/// what was sent: `status` gets every token from index 0, `N` gets the tokens after index `N`, `result` gets nothing
/// (the stream ends at once), and none (or anything else) starts over with the status.
///
/// The token IDs are the indices the worker gives its chunks (`StreamChunk.index`), so they mean the same on every
/// instance. A last token that stands for the rest of the text (see ``TokenRelay``) has the `index` of its first
/// token and the `id` of the last, so that a reconnect after it gets only the result.
enum JobEventStream {
    static let statusEventID = "status"
    static let resultEventID = "result"

    /// Where a client resumes, from its `Last-Event-ID`.
    enum Resume: Sendable, Hashable {
        /// From the beginning: the status, every token, the result.
        case start
        /// It saw the status: every token, then the result.
        case afterStatus
        /// It saw the tokens up to this index.
        case afterToken(Int)
        /// It saw everything.
        case afterResult

        init(lastEventID: String?) {
            guard let id = lastEventID?.trimmingCharacters(in: .whitespaces) else {
                self = .start
                return
            }
            if id == JobEventStream.statusEventID {
                self = .afterStatus
            } else if id == JobEventStream.resultEventID {
                self = .afterResult
            } else if let index = Int(id), index >= 0 {
                self = .afterToken(index)
            } else {
                self = .start
            }
        }

        /// The last token index seen, for ``TokenRelay``.
        var lastTokenIndex: Int? {
            if case .afterToken(let index) = self { return index }
            return nil
        }

        var sendsStatus: Bool { self == .start }
    }

    /// One server-sent event.
    struct Event: Sendable, Hashable {
        var id: String
        var name: String
        var data: [UInt8]

        /// The event in the `text/event-stream` format. `data` is one line of JSON (the encoders write no newline).
        var bytes: [UInt8] {
            Array("id: \(self.id)\nevent: \(self.name)\ndata: ".utf8) + self.data.filter { $0 != 0x0A && $0 != 0x0D }
                + Array("\n\n".utf8)
        }
    }

    /// The heartbeat comment, sent while the stream waits so that proxies keep it open.
    static let heartbeat = Array(": keep-alive\n\n".utf8)

    static func status(jobID: String, status: String) -> Event {
        var writer = JSONWriter(capacity: 48 + jobID.utf8.count)
        writer.raw(#"{"job_id":"#)
        writer.string(jobID)
        writer.raw(#","status":"#)
        writer.string(status)
        writer.raw("}")
        return Event(id: Self.statusEventID, name: "status", data: writer.bytes)
    }

    static func token(_ token: TokenRelay.Token) -> Event {
        var writer = JSONWriter(capacity: 40 + token.text.utf8.count)
        writer.raw(#"{"index":"#)
        writer.integer(token.index)
        writer.raw(#","token":"#)
        writer.string(token.text)
        writer.raw("}")
        return Event(id: "\(token.lastIndex)", name: "token", data: writer.bytes)
    }

    /// The terminal event.
    static func result(_ json: [UInt8]) -> Event {
        Event(id: Self.resultEventID, name: "result", data: json)
    }
}
