import AsyncHTTPClient
import NIOCore

extension HTTPClientResponse.Body.AsyncIterator {
    /// The body's next piece, or ``ChatCompletionError`` (`timeout`) when none comes within `timeout`.
    ///
    /// The clock runs only while the caller waits here, not while it is away handling a chunk: a slow reader is not a
    /// silent server. (async-http-client's read timeout would count both, since it reads no further until asked.)
    mutating func next(within timeout: Duration) async throws -> ByteBuffer? {
        enum Step: Sendable {
            case part(ByteBuffer?)
            case timedOut
        }
        let reader = ExclusiveIterator(self)
        let step = try await withThrowingTaskGroup(of: Step.self) { group in
            group.addTask { .part(try await reader.iterator.next()) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return .timedOut
            }
            defer { group.cancelAll() }
            return try await group.next() ?? .timedOut
        }
        // The group has ended, and its reading child with it: the iterator is this task's again.
        self = reader.iterator
        switch step {
        case .part(let part): return part
        case .timedOut: throw ChatCompletionError(.timeout, "no part of the answer within \(timeout)")
        }
    }

    /// The rest of the body, up to `maxBytes` (more is not read), each piece within `timeout`.
    mutating func collect(upTo maxBytes: Int, within timeout: Duration) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < maxBytes, let part = try await self.next(within: timeout) {
            bytes.append(contentsOf: part.readableBytesView.prefix(maxBytes - bytes.count))
        }
        return bytes
    }
}

/// Lends a response body's iterator to the one child task that reads it while a timer races it.
///
/// The iterator is not `Sendable` because two tasks must never call `next()` at once. Here they cannot: the reading
/// child is the only user while the task group runs, and the group does not return (so the caller does not touch the
/// iterator again) until that child has ended; the group's end orders the child's writes before the caller's reads.
private final class ExclusiveIterator: @unchecked Sendable {
    var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.iterator = iterator
    }
}
