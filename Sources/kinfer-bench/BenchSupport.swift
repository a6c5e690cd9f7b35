import CKafkaBaselines
import EmbeddedKafka
import Foundation
import Kafka
import Logging

/// A benchmark that could not measure what it set out to (a count check failed, a client failed).
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs blocking work (a C loop) on a thread of its own, off Swift's cooperative pool.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// What a C baseline loop reports.
struct BaselineRun: Sendable {
    var count: Int
    var seconds: Double
    var anomalies: Int
}

/// Calls one of the C loops with its properties as C strings and its timing, and turns `-1` into a failure.
enum Baseline {
    /// The properties of `configuration` except `bootstrap.servers` (passed separately), as the C loops take them.
    /// `defaults` come first, so that the configuration's own settings replace them, as in the Swift clients.
    static func properties(
        of configuration: KafkaConfiguration, defaults: [(name: String, value: String)] = [], adding extra: [(String, String)] = []
    ) -> [String] {
        let own = configuration.librdkafkaProperties.filter { $0.name != "bootstrap.servers" }
        return (defaults.map { ($0.name, $0.value) } + own.map { ($0.name, $0.value) } + extra).flatMap { [$0.0, $0.1] }
    }

    static func run(
        _ name: String,
        properties: [[String]],
        _ body: @escaping @Sendable ([UnsafeMutablePointer<UnsafePointer<CChar>?>], UnsafeMutablePointer<kinfer_baseline_timing>, UnsafeMutablePointer<CChar>, Int) -> Int64
    ) async throws -> BaselineRun {
        let outcome: Result<BaselineRun, BenchFailure> = await onOwnThread {
            let strings = properties.map { list in list.map { strdup($0)! } }
            defer { strings.joined().forEach { free($0) } }
            let arrays = strings.map { list -> UnsafeMutablePointer<UnsafePointer<CChar>?> in
                let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(list.count, 1))
                for (index, string) in list.enumerated() { array[index] = UnsafePointer(string) }
                return array
            }
            defer { arrays.forEach { $0.deallocate() } }
            var timing = kinfer_baseline_timing()
            var error = [CChar](repeating: 0, count: 512)
            let count = error.withUnsafeMutableBufferPointer { buffer in
                body(arrays, &timing, buffer.baseAddress!, buffer.count)
            }
            guard count >= 0 else {
                return .failure(BenchFailure("\(name): \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))"))
            }
            return .success(
                BaselineRun(
                    count: Int(count),
                    seconds: Double(timing.end_ns - timing.start_ns) / 1e9,
                    anomalies: Int(timing.anomalies)
                )
            )
        }
        return try outcome.get()
    }

    /// Fills `topic` with `count` messages of `size` bytes through the C producer; fails unless all are delivered.
    static func preProduce(cluster: EmbeddedKafkaCluster, topic: String, count: Int, size: Int) async throws {
        let bootstrap = cluster.bootstrapServers
        let properties = properties(of: cluster.producerConfiguration())
        let run = try await Baseline.run("pre-produce", properties: [properties]) { lists, timing, error, errorSize in
            kinfer_baseline_produce(bootstrap, topic, Int64(count), size, lists[0], properties.count, timing, error, errorSize)
        }
        guard run.count == count else {
            throw BenchFailure("pre-produce to \(topic): \(run.count) of \(count) messages delivered")
        }
    }
}

/// `1234` as the bytes of "1234": the same keys the C loops make with `snprintf`.
@inline(__always)
func decimalKey(_ value: Int) -> [UInt8] {
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for any Int
    return withUnsafeMutableBytes(of: &digits) { scratch in
        var n = value.magnitude
        var start = scratch.count
        repeat {
            start -= 1
            scratch[start] = UInt8(ascii: "0") + UInt8(n % 10)
            n /= 10
        } while n > 0
        if value < 0 {
            start -= 1
            scratch[start] = UInt8(ascii: "-")
        }
        return Array(scratch[start...])
    }
}

/// A short unique suffix for topic and group names, so repeated runs never share state.
let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)

/// The clients' logger in the bench: warnings and errors only, so the table stays readable.
let benchLogger: Logger = {
    var logger = Logger(label: "kinfer-bench")
    logger.logLevel = .warning
    return logger
}()

/// Whether `subject` is named in a comma-separated `--subjects` list; every subject is when there is none.
func isWanted(_ subject: String, in subjects: String?) -> Bool {
    guard let subjects else { return true }
    return subjects.split(separator: ",").contains { $0 == subject }
}

/// Enough partitions (at least 16) that none holds more than ~4 MiB of `count` records of ~600 bytes (the larger
/// record, headers, overhead): the embedded cluster keeps at most 5 MiB per partition.
func enoughPartitions(forRecords count: Int) -> Int {
    max(16, (count * 600) / (4 << 20) + 1)
}
