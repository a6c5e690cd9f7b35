import InferenceJobs
import Synchronization

/// This instance's ``StreamCache`` behind a lock, shared by the stream follower (which stores every record), the
/// results follower (which marks streams finished) and the routes that relay tokens.
///
/// A lock rather than an actor for the same reason as ``ResultWaiters``: the followers touch it for every record,
/// and most records need only a copy into a dictionary.
final class StreamRegistry: Sendable {
    private let cache: Mutex<StreamCache>

    init(limits: StreamCache.Limits) {
        self.cache = Mutex(StreamCache(limits: limits))
    }

    /// Keeps a record of the stream topic, undecoded.
    func store(_ record: [UInt8], for jobID: String) {
        let now = ContinuousClock.now
        self.cache.withLock { $0.store(record, for: jobID, now: now) }
    }

    /// Marks that `jobID` streams (it was submitted here with `stream: true`), so that its clients wait a while
    /// for chunks that arrive after the result.
    func expect(_ jobID: String) {
        let now = ContinuousClock.now
        self.cache.withLock { $0.expect(jobID, now: now) }
    }

    /// The results follower saw the result of `jobID`.
    func finish(_ jobID: String) {
        let now = ContinuousClock.now
        self.cache.withLock { $0.finish(jobID, now: now) }
    }

    /// Whether a stream of `jobID` is kept (chunks were read, or it was expected).
    func contains(_ jobID: String) -> Bool {
        self.cache.withLock { $0.contains(jobID) }
    }

    /// The stream of `jobID` from `index` on; `nil` when nothing is kept. Records that do not decode are skipped
    /// (the result still carries the whole text).
    func read(_ jobID: String, from index: Int) -> StreamCache.Read? {
        let now = ContinuousClock.now
        return self.cache.withLock { cache in
            cache.read(jobID, from: index, now: now) { record in try? JobCodec.decodeStreamChunk(record) }
        }
    }

    /// How many streams and bytes are kept (for tests and metrics).
    var usage: (streams: Int, bytes: Int) {
        self.cache.withLock { ($0.count, $0.bytes) }
    }
}
