import InferenceJobs
import Testing

@testable import Gateway

@Suite("The cache of recent streams")
struct StreamCacheTests {
    static let start = ContinuousClock.now

    func record(_ jobID: String, _ run: String, _ index: Int, _ tokens: [String]) -> [UInt8] {
        JobCodec.encode(StreamChunk(jobID: jobID, attempt: 1, run: run, index: index, tokens: tokens))
    }

    func decode(_ bytes: [UInt8]) -> StreamChunk? { try? JobCodec.decodeStreamChunk(bytes) }

    @Test("Records are kept undecoded until a client reads the job; a record that does not decode is skipped")
    func lazyDecoding() {
        var cache = StreamCache(limits: .init(maxBytes: 1 << 20, maxStreams: 10, finishedRetention: .seconds(60)))
        let first = record("j", "r", 0, ["a", "b"])
        cache.store(first, for: "j", now: Self.start)
        cache.store(Array("not json".utf8), for: "j", now: Self.start)
        cache.store(record("j", "r", 2, ["c"]), for: "j", now: Self.start)
        #expect(cache.bytes == first.count + 8 + record("j", "r", 2, ["c"]).count)
        var decoded = 0
        let read = cache.read("j", from: 1, now: Self.start) { bytes in
            decoded += 1
            return try? JobCodec.decodeStreamChunk(bytes)
        }
        #expect(decoded == 3)
        #expect(read == StreamCache.Read(tokens: ["b", "c"], prefix: "a", nextIndex: 3))
        #expect(cache.bytes == 3)  // the tokens' bytes only, once decoded
        #expect(cache.read("other", from: 0, now: Self.start, decode: decode) == nil)
    }

    @Test("Over the count, the oldest finished stream goes first, then the oldest unfinished")
    func evictionByCount() {
        var cache = StreamCache(limits: .init(maxBytes: 1 << 20, maxStreams: 3, finishedRetention: .seconds(60)))
        for job in ["a", "b", "c"] { cache.store(record(job, "r", 0, ["x"]), for: job, now: Self.start) }
        cache.finish("c", now: Self.start)
        cache.finish("b", now: Self.start)
        cache.store(record("d", "r", 0, ["x"]), for: "d", now: Self.start)
        #expect(!cache.contains("c") && cache.contains("b") && cache.contains("a") && cache.contains("d"))
        cache.store(record("e", "r", 0, ["x"]), for: "e", now: Self.start)
        #expect(!cache.contains("b") && cache.contains("a"))
        cache.store(record("f", "r", 0, ["x"]), for: "f", now: Self.start)
        #expect(!cache.contains("a") && cache.count == 3)
    }

    @Test("Over the bytes, streams are evicted until the total fits; a finished stream is dropped after its retention")
    func evictionByBytesAndAge() {
        let one = record("a", "r", 0, ["0123456789"])
        var cache = StreamCache(limits: .init(maxBytes: one.count * 2, maxStreams: 100, finishedRetention: .seconds(5)))
        cache.store(one, for: "a", now: Self.start)
        cache.store(record("b", "r", 0, ["0123456789"]), for: "b", now: Self.start)
        cache.store(record("c", "r", 0, ["0123456789"]), for: "c", now: Self.start)
        #expect(!cache.contains("a") && cache.bytes <= one.count * 2)
        cache.finish("b", now: Self.start)
        cache.expect("d", now: Self.start + .seconds(4))
        #expect(cache.contains("b"))
        cache.expect("e", now: Self.start + .seconds(5))
        #expect(!cache.contains("b") && cache.contains("c") && cache.contains("d"))
    }
}
