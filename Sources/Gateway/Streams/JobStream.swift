import InferenceJobs

/// What the gateway knows of one job's generated text: the run it follows and the tokens read so far, contiguous
/// from ``firstIndex``. A pure state machine, fed the job's ``StreamChunk`` records in the order the stream topic
/// holds them (one job's records stay in one partition); each step returns what it did, so that the rules are tested
/// without a broker.
///
/// A job can be run twice (a worker crashed mid-generation and another took the job again); each run names itself,
/// and the repeat's records come after the first run's. **The latest run supersedes**: the run whose index-0 record
/// arrived last is the one followed, and records of any other run are ignored. Tokens already known are kept, and
/// the new run only extends them from the next unknown index: generation is assumed deterministic up to what was
/// already sent (the same job gives the same text, as ``SimulatedGenerator`` does and a language model does with a
/// fixed seed and sampling), so a client's stream continues where it was, never duplicated or reordered.
struct JobStream: Sendable, Hashable {
    /// What a record did to the stream.
    enum Step: Sendable, Hashable {
        /// Tokens from `range` are new.
        case extended(Range<Int>)
        /// The record started a new run (an index-0 record of a run not followed), which is now followed; tokens
        /// from `range` (possibly empty) are new.
        case superseded(previousRun: String?, extended: Range<Int>)
        /// The record added nothing: a run not followed, tokens already known, or a gap.
        case ignored(Ignored)
    }

    enum Ignored: Sendable, Hashable {
        /// The record is of a run that is not (or no longer) followed.
        case otherRun
        /// Every token of the record was already known.
        case known
        /// The record starts past the next index: a record of this run was missed (the follower restarted), so its
        /// tokens cannot be placed. The result's text fills the gap.
        case gap
    }

    /// The run followed; `nil` before the first record.
    private(set) var run: String?
    /// The followed run's attempt.
    private(set) var attempt: Int = 0
    /// The index of `tokens[0]`: `0`, unless the gateway began following the topic in the middle of this stream.
    private(set) var firstIndex = 0
    /// The known tokens, from ``firstIndex`` on.
    private(set) var tokens: [String] = []
    /// The UTF-8 bytes of ``tokens``, for the cache's bound.
    private(set) var tokenBytes = 0

    init() {}

    /// The first index not known yet.
    var nextIndex: Int { self.firstIndex + self.tokens.count }

    /// Applies the next record of the job.
    mutating func receive(_ chunk: StreamChunk) -> Step {
        if chunk.run != self.run {
            if chunk.index == 0 {
                let previous = self.run
                self.run = chunk.run
                self.attempt = chunk.attempt
                if self.firstIndex > 0 {
                    // Joined mid-stream before: the new run gives the beginning, so start over from it (the same
                    // tokens, by determinism); a client waits until the new run reaches its index.
                    self.firstIndex = 0
                    self.tokens = []
                    self.tokenBytes = 0
                }
                return .superseded(previousRun: previous, extended: self.append(chunk))
            }
            guard self.run == nil else { return .ignored(.otherRun) }
            // The first record seen is in the middle of a run: the gateway started following after the run began.
            self.run = chunk.run
            self.attempt = chunk.attempt
            self.firstIndex = chunk.index
            return .extended(self.append(chunk))
        }
        guard chunk.index <= self.nextIndex else { return .ignored(.gap) }
        let added = self.append(chunk)
        return added.isEmpty ? .ignored(.known) : .extended(added)
    }

    /// Appends the tokens of `chunk` past ``nextIndex``; the range of indices added.
    private mutating func append(_ chunk: StreamChunk) -> Range<Int> {
        let start = self.nextIndex
        let skip = start - chunk.index
        guard skip >= 0, skip < chunk.tokens.count else { return start..<start }
        for token in chunk.tokens[skip...] {
            self.tokens.append(token)
            self.tokenBytes += token.utf8.count
        }
        return start..<self.nextIndex
    }

    /// The tokens from `index` on, or `nil` when `index` is before ``firstIndex`` (not known here).
    func tokens(from index: Int) -> ArraySlice<String>? {
        guard index >= self.firstIndex else { return nil }
        let offset = min(index - self.firstIndex, self.tokens.count)
        return self.tokens[offset...]
    }

    /// The text of the tokens before `index`, or `nil` when they are not all known here.
    func text(before index: Int) -> String? {
        guard self.firstIndex == 0, index <= self.nextIndex else { return nil }
        return self.tokens[..<index].joined()
    }
}
