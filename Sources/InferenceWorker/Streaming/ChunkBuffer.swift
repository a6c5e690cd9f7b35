/// Which of a generation's tokens go into the next stream record, and when: a value, so that the policy is tested
/// without a broker.
///
/// A token is published at once when the stream's last record is at least `linger` old, so a model slower than
/// `linger` per token gets one record per token and no added delay; tokens coming faster wait for the next tick of
/// ``StreamPublisher`` (every `linger`) and share a record, so that the topic does not carry one record per token.
struct ChunkBuffer: Sendable {
    /// The tokens of the next record and the index of the first.
    struct Record: Sendable, Hashable {
        var index: Int
        var tokens: [String]
    }

    let linger: Duration
    /// Tokens made and not yet published.
    private(set) var tokens: [String] = []
    /// The index of `tokens[0]`; the count of tokens published before it.
    private(set) var nextIndex = 0
    private var lastPublished: ContinuousClock.Instant?

    init(linger: Duration) {
        self.linger = linger
    }

    /// Adds `token`; whether the buffer should be published now.
    mutating func append(_ token: String, now: ContinuousClock.Instant) -> Bool {
        self.tokens.append(token)
        guard let lastPublished else { return true }
        return now - lastPublished >= self.linger
    }

    /// The record to publish: every buffered token, or `nil` when there is none.
    var record: Record? {
        self.tokens.isEmpty ? nil : Record(index: self.nextIndex, tokens: self.tokens)
    }

    /// The record given by ``record`` was handed to the producer: its tokens leave the buffer.
    mutating func published(_ record: Record, now: ContinuousClock.Instant) {
        precondition(record.index == self.nextIndex && record.tokens.count <= self.tokens.count, "published a record out of order")
        self.tokens.removeFirst(record.tokens.count)
        self.nextIndex += record.tokens.count
        self.lastPublished = now
    }
}
