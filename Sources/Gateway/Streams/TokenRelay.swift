import InferenceJobs

/// One client's position in a job's stream and what to send it next: the tokens it has not seen, in index order,
/// each once; then, when the result arrives, whatever tokens are missing. A pure value: the route feeds it what the
/// cache holds (``StreamCache/Read``) and writes the events it returns, in whichever format it speaks.
///
/// The result can arrive (on the results topic) before the stream's last records (on the stream topic): then
/// ``finish(_:read:waited:)`` asks to wait a while for them, and after that sends the rest of the result's text as one
/// last token, so that the tokens a client got, concatenated, are always the result's text.
struct TokenRelay: Sendable, Hashable {
    /// Text for the client: one token at `index`, or, as the last resort, the rest of the text from `index` to
    /// `lastIndex`.
    struct Token: Sendable, Hashable {
        var index: Int
        /// The index of the last token it stands for: `index`, except for the rest of a text sent at once.
        var lastIndex: Int
        var text: String
    }

    /// What to do with the result.
    enum Finish: Sendable, Hashable {
        /// Send these tokens (possibly none), then the result.
        case complete([Token])
        /// Send these tokens (possibly none); more are missing and may still come: wait for them (a bounded time),
        /// then call ``finish(_:read:waited:)`` again.
        case partial([Token])
    }

    /// The first index the client has not seen.
    private(set) var next: Int
    /// The text the client has seen, when known: empty for a client that saw nothing; for one resuming after an
    /// index, learnt from the cache.
    private(set) var seenText: String?

    /// - Parameter lastIndex: The last token index the client saw (its `Last-Event-ID`), or `nil` for a client
    ///   that has seen no token.
    init(after lastIndex: Int?) {
        if let lastIndex, lastIndex >= 0 {
            self.next = lastIndex + 1
            self.seenText = nil
        } else {
            self.next = 0
            self.seenText = ""
        }
    }

    /// The tokens of `read` the client has not seen (`read` is the stream from ``next``).
    mutating func take(_ read: StreamCache.Read?) -> [Token] {
        guard let read else { return [] }
        if self.seenText == nil { self.seenText = read.prefix }
        guard let tokens = read.tokens, !tokens.isEmpty else { return [] }
        var sent: [Token] = []
        sent.reserveCapacity(tokens.count)
        for token in tokens {
            sent.append(Token(index: self.next, lastIndex: self.next, text: token))
            self.seenText? += token
            self.next += 1
        }
        return sent
    }

    /// What to send once the result is here, given what the cache holds now (`read`, from ``next``).
    ///
    /// - Parameters:
    ///   - output: The result's output; only generated text is streamed.
    ///   - waited: Whether the wait for missing chunks is over (or not worth it: nothing says the job streams).
    mutating func finish(_ output: ModelOutput?, read: StreamCache.Read?, waited: Bool) -> Finish {
        guard case .text(let generated)? = output, self.next < generated.tokens else { return .complete([]) }
        // Only what the result counts: a longer stream (of a run that was not deterministic) has no place after it.
        var tokens = self.take(read).filter { $0.index < generated.tokens }
        if self.next >= generated.tokens { return .complete(tokens) }
        if !waited { return .partial(tokens) }
        // The rest of the text at once. Unknown when this instance does not know what the client saw (it resumed
        // after tokens this instance never read), or when the text does not begin with it (a run that was not
        // deterministic); then only the result follows, which has the whole text.
        guard let seen = self.seenText, generated.text.utf8.starts(with: seen.utf8) else { return .complete(tokens) }
        let rest = String(decoding: generated.text.utf8.dropFirst(seen.utf8.count), as: UTF8.self)
        if !rest.isEmpty {
            tokens.append(Token(index: self.next, lastIndex: generated.tokens - 1, text: rest))
            self.seenText = generated.text
        }
        self.next = generated.tokens
        return .complete(tokens)
    }
}
