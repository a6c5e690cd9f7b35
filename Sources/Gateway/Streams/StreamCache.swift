import InferenceJobs

/// The recent streams of the stream topic, by job ID, so that a client reconnecting with `Last-Event-ID` is served
/// its stream's rest by whichever instance it reaches (every instance reads the whole topic). A pure value, bounded by
/// total bytes and by count: the oldest finished streams are evicted first, then the oldest unfinished ones; a
/// finished stream is kept ``Limits/finishedRetention`` for reconnects, then dropped.
///
/// Records are kept as they were read and decoded only when a client reads the job (``read(_:from:now:decode:)``):
/// most streams are followed by a client on another instance, and an undecoded record costs a copy, not a parse.
struct StreamCache: Sendable {
    struct Limits: Sendable, Hashable {
        /// The most bytes of records and tokens kept, all streams together.
        var maxBytes: Int
        /// The most streams kept.
        var maxStreams: Int
        /// How long a stream is kept once its job's result was seen.
        var finishedRetention: Duration
    }

    /// What a client reads of a job's stream.
    struct Read: Sendable, Hashable {
        /// The known tokens from the index asked for, or `nil` when that index is before what this instance knows.
        var tokens: ArraySlice<String>?
        /// The text of every token before the index asked for, when this instance knows them all.
        var prefix: String?
        /// The first index not known yet.
        var nextIndex: Int
    }

    private struct Entry: Sendable {
        var serial: UInt64
        var stream = JobStream()
        var undecoded: [[UInt8]] = []
        var undecodedBytes = 0
        var finishedAt: ContinuousClock.Instant?

        var bytes: Int { self.undecodedBytes + self.stream.tokenBytes }
    }

    let limits: Limits
    private var entries: [String: Entry] = [:]
    /// Every entry by creation, and the finished ones by finish time; stale elements (an entry removed since, or made
    /// again under a new serial) are skipped when they come up.
    private var created = Queue()
    private var finished = Queue()
    private var nextSerial: UInt64 = 0
    /// The bytes of every entry.
    private(set) var bytes = 0

    init(limits: Limits) {
        self.limits = limits
    }

    /// How many streams are kept.
    var count: Int { self.entries.count }

    /// Whether anything is kept for `jobID`.
    func contains(_ jobID: String) -> Bool { self.entries[jobID] != nil }

    /// Keeps a record of the stream topic for `jobID`, undecoded.
    mutating func store(_ record: [UInt8], for jobID: String, now: ContinuousClock.Instant) {
        self.withEntry(jobID, now: now) { entry in
            entry.undecoded.append(record)
            entry.undecodedBytes += record.count
        }
        self.evict(now: now)
    }

    /// Makes an empty stream for `jobID` unless one is kept: a job this instance submitted to stream, whose clients
    /// then wait a while for chunks that come after its result.
    mutating func expect(_ jobID: String, now: ContinuousClock.Instant) {
        self.withEntry(jobID, now: now) { _ in }
        self.evict(now: now)
    }

    /// Marks the stream of `jobID`, when one is kept, finished: its result was seen. It is kept for reconnects for
    /// ``Limits/finishedRetention``.
    mutating func finish(_ jobID: String, now: ContinuousClock.Instant) {
        guard let serial = self.entries[jobID]?.serial, self.entries[jobID]?.finishedAt == nil else { return }
        self.entries[jobID]?.finishedAt = now
        self.finished.push(jobID, serial)
        self.evict(now: now)
    }

    /// The stream of `jobID` from `index` on, decoding the records kept since the last read; `nil` when nothing is kept.
    mutating func read(
        _ jobID: String, from index: Int, now: ContinuousClock.Instant, decode: ([UInt8]) -> StreamChunk?
    ) -> Read? {
        guard var entry = self.entries.removeValue(forKey: jobID) else { return nil }
        let before = entry.bytes
        for record in entry.undecoded {
            if let chunk = decode(record) { _ = entry.stream.receive(chunk) }
        }
        entry.undecoded = []
        entry.undecodedBytes = 0
        self.bytes += entry.bytes - before
        let read = Read(tokens: entry.stream.tokens(from: index), prefix: entry.stream.text(before: index), nextIndex: entry.stream.nextIndex)
        self.entries[jobID] = entry
        self.evict(now: now)
        return read
    }

    private mutating func withEntry(_ jobID: String, now: ContinuousClock.Instant, _ change: (inout Entry) -> Void) {
        var entry: Entry
        if let kept = self.entries.removeValue(forKey: jobID) {
            entry = kept
        } else {
            self.nextSerial += 1
            entry = Entry(serial: self.nextSerial)
            self.created.push(jobID, entry.serial)
        }
        let before = entry.bytes
        change(&entry)
        self.bytes += entry.bytes - before
        self.entries[jobID] = entry
    }

    /// Drops finished streams past their retention, then the oldest finished, then the oldest of all, until both
    /// bounds hold.
    private mutating func evict(now: ContinuousClock.Instant) {
        while let (jobID, serial) = self.finished.peek() {
            guard let entry = self.entries[jobID], entry.serial == serial else {
                self.finished.pop()
                continue
            }
            guard let finishedAt = entry.finishedAt, finishedAt + self.limits.finishedRetention <= now else { break }
            self.finished.pop()
            self.remove(jobID)
        }
        while self.entries.count > self.limits.maxStreams || self.bytes > self.limits.maxBytes {
            if let (jobID, serial) = self.finished.pop() {
                if self.entries[jobID]?.serial == serial { self.remove(jobID) }
            } else if let (jobID, serial) = self.created.pop() {
                if self.entries[jobID]?.serial == serial { self.remove(jobID) }
            } else {
                break
            }
        }
        // Entries removed as finished leave their creation element behind: drop such elements once they are most.
        if self.created.count > 2 * self.entries.count + 1024 {
            let entries = self.entries
            self.created.retain { entries[$0]?.serial == $1 }
        }
    }

    private mutating func remove(_ jobID: String) {
        guard let entry = self.entries.removeValue(forKey: jobID) else { return }
        self.bytes -= entry.bytes
    }

    /// A first-in-first-out list of (job ID, serial), popped from the front.
    private struct Queue: Sendable {
        private var elements: [(String, UInt64)] = []
        private var head = 0

        mutating func push(_ jobID: String, _ serial: UInt64) { self.elements.append((jobID, serial)) }

        func peek() -> (String, UInt64)? { self.head < self.elements.count ? self.elements[self.head] : nil }

        @discardableResult
        mutating func pop() -> (String, UInt64)? {
            guard self.head < self.elements.count else { return nil }
            defer {
                self.head += 1
                if self.head > 1024 && self.head * 2 > self.elements.count {
                    self.elements.removeFirst(self.head)
                    self.head = 0
                }
            }
            return self.elements[self.head]
        }

        var count: Int { self.elements.count - self.head }

        mutating func retain(where keep: (String, UInt64) -> Bool) {
            self.elements = self.elements[self.head...].filter { keep($0.0, $0.1) }
            self.head = 0
        }
    }
}
