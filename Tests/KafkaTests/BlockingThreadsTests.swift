import Foundation
@testable import Kafka
import KinferTestSupport
import Testing

@Suite("Blocking calls on long-lived threads")
struct BlockingThreadsTests {
    @Test("200 runBlocking calls one after another reuse threads, not one thread each")
    func sequentialCallsReuseAThread() async throws {
        var threadNames: Set<String> = []
        for index in 0..<200 {
            let (name, value) = await runBlocking { () -> (String, Int) in (Self.threadMark(), index * 2) }
            #expect(value == index * 2)
            threadNames.insert(name)
        }
        // Other clients of the process (a close still under way from an earlier test) may hold a thread or two of
        // the shared pool, so more than one thread can serve these calls; a thread per call would be 200.
        #expect(threadNames.count <= 10, "200 calls ran on \(threadNames.count) threads")
    }

    /// A mark unique to the calling thread for its whole life, unlike a thread ID, which a later thread may reuse.
    static func threadMark() -> String {
        let key = "kinfer.test.thread-mark"
        if let mark = Thread.current.threadDictionary[key] as? String { return mark }
        let mark = UUID().uuidString
        Thread.current.threadDictionary[key] = mark
        return mark
    }

    @Test("Calls that block at the same time never queue behind each other")
    func concurrentBlockingCallsAllRun() async throws {
        let threads = BlockingThreads(idleTimeout: 30)
        let running = KinferTestSupport.Counter()
        let release = DispatchSemaphore(value: 0)
        let width = 16
        // Each call blocks until all of them are running at once: with any queueing this never happens and the
        // calls are released by the deadline instead, failing the expectation.
        let allRan = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<width {
                group.addTask {
                    await Self.call(on: threads) {
                        running.increment()
                        return release.wait(timeout: .now() + 20) == .success
                    }
                }
            }
            let started: Void? = try? await waitUntil("\(width) blocking calls running at once", timeout: .seconds(20)) {
                running.value == width
            }
            for _ in 0..<width { release.signal() }
            guard started != nil else { return false }
            return await group.reduce(true) { $0 && $1 }
        }
        #expect(allRan)
        #expect(running.value == width)
        #expect(threads.startedThreads == width)
    }

    @Test("runBlocking returns the call's value and rethrows its error")
    func runBlockingValueAndError() async throws {
        #expect(try await runBlocking { () throws(KafkaError) -> Int in 42 } == 42)
        await #expect(throws: KafkaError.self) {
            try await runBlocking { () throws(KafkaError) -> Int in throw KafkaError(code: .admin, message: "no") }
        }
    }

    static func call<Value: Sendable>(on threads: BlockingThreads, _ body: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            threads.run { continuation.resume(returning: body()) }
        }
    }
}
