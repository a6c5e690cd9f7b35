import Foundation

/// What `GET /v1/jobs/{id}/events` sends, as a pure value: tested without a server.
///
/// A stream has at most two events, and their IDs are fixed: `1` is the `status` event on connect and `2` the
/// terminal `result` event. Fixed IDs make `Last-Event-ID` exact across reconnects and gateway instances (no
/// instance has to remember what another sent): a client that has seen `1` gets only the result; one that has seen
/// `2` has everything, and the stream ends at once.
struct JobEventStream: Sendable, Hashable {
    static let statusEventID = 1
    static let resultEventID = 2

    /// One server-sent event.
    struct Event: Sendable, Hashable {
        var id: Int
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

    /// The events to send on connect.
    var initial: [Event]
    /// Whether the stream then waits for the result (otherwise it ends after `initial`).
    var waitsForResult: Bool

    /// - Parameters:
    ///   - lastEventID: The `Last-Event-ID` header as sent, or `nil`. Anything not a number counts as none.
    ///   - status: The job's status now (`pending`, `completed`, …), for the `status` event.
    ///   - finishedResult: The result's JSON when the job has finished.
    init(jobID: String, lastEventID: String?, status: String, finishedResult: [UInt8]?) {
        let seen = lastEventID.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        var initial: [Event] = []
        if seen < Self.statusEventID {
            initial.append(Event(id: Self.statusEventID, name: "status", data: Self.statusData(jobID: jobID, status: status)))
        }
        if let finishedResult, seen < Self.resultEventID {
            initial.append(Self.result(finishedResult))
        }
        self.initial = initial
        self.waitsForResult = finishedResult == nil && seen < Self.resultEventID
    }

    /// The terminal event.
    static func result(_ json: [UInt8]) -> Event {
        Event(id: Self.resultEventID, name: "result", data: json)
    }

    static func statusData(jobID: String, status: String) -> [UInt8] {
        let object: [String: Any] = ["job_id": jobID, "status": status]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }
}
