import EmbeddedKafka
import Foundation
import Kafka
import KinferTestSupport
import Synchronization
import Testing

/// The Swift wrappers against Kafka clients kinfer did not write, on the embedded cluster (real TCP):
/// - kcat (Debian's, an independent C application over the system librdkafka);
/// - Python's confluent-kafka, which bundles its own, newer librdkafka: an independent client build.
///
/// The tools are found through `KINFER_KCAT` and `KINFER_PYTHON` (set by `scripts/test`), falling back to `kcat` on
/// `PATH` and the repository's `.venv/bin/python`. A missing tool fails the test: run `scripts/test`, which installs
/// both.
@Suite("Interoperability with kcat and confluent-kafka")
struct InteroperabilityTests {
    static let count = 1000

    @Test("1,000 messages from the Swift producer are read back byte for byte by kcat and by confluent-kafka")
    func swiftProducerToOtherClients() async throws {
        let kcat = try InteropTools.kcat()
        let python = try await InteropTools.python()
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        let topic = uniqueName("interop-from-swift")
        try cluster.createTopic(topic, partitions: 4, replicationFactor: 3)

        // Produce, and learn from the delivery reports where each message was stored.
        let producer = try KafkaProducer(configuration: cluster.producerConfiguration())
        let sent = (0..<Self.count).map { Self.swiftMessage($0, topic: topic) }
        let stored = Mutex<[Position: Int]>([:])
        let failures = Mutex<[String]>([])
        for (index, message) in sent.enumerated() {
            try await producer.enqueue(message) { result in
                switch result {
                case .success(let report):
                    stored.withLock { $0[Position(partition: report.partition, offset: report.offset)] = index }
                case .failure(let error):
                    failures.withLock { $0.append("message \(index): \(error)") }
                }
            }
        }
        try await producer.flush(timeout: .seconds(30))
        await producer.close()
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(5) })")
        let expected = stored.withLock { $0 }
        try #require(expected.count == Self.count, "only \(expected.count) of \(Self.count) messages were acknowledged")

        // Both foreign clients read the whole topic concurrently.
        async let kcatRead = InteropTools.readWithKcat(kcat, bootstrapServers: cluster.bootstrapServers, topic: topic)
        async let pythonRead = InteropTools.readWithPython(python, bootstrapServers: cluster.bootstrapServers, topic: topic)
        let (kcatRecords, pythonRecords) = try await (kcatRead, pythonRead)

        // kcat: key and value byte for byte (framed by their lengths), headers as kcat renders them.
        #expect(kcatRecords.count == Self.count, "kcat read \(kcatRecords.count) messages")
        #expect(Set(kcatRecords.map(\.position)) == Set(expected.keys), "kcat read other positions than were stored")
        var kcatMismatches: [String] = []
        for record in kcatRecords {
            guard let index = expected[record.position] else { continue }
            let message = sent[index]
            let renderedHeaders = InteropTools.kcatRendering(of: message.headers)
            if record.key != message.key || record.value != message.value || record.renderedHeaders != renderedHeaders {
                kcatMismatches.append(
                    "message \(index) at \(record.position): key \(hex(record.key)) vs \(hex(message.key)), "
                        + "value \(hex(record.value)) vs \(hex(message.value)), "
                        + "headers \(hex(record.renderedHeaders)) vs \(hex(renderedHeaders))"
                )
            }
        }
        let kcatMismatchCount = kcatMismatches.count
        #expect(kcatMismatchCount == 0, "kcat read messages that differ, e.g.\n\(kcatMismatches.prefix(3).joined(separator: "\n"))")

        // confluent-kafka: key, value and every header (name, value, null or empty, order) exactly.
        #expect(pythonRecords.count == Self.count, "confluent-kafka read \(pythonRecords.count) messages")
        #expect(Set(pythonRecords.map(\.position)) == Set(expected.keys), "confluent-kafka read other positions than were stored")
        var pythonMismatches: [String] = []
        for record in pythonRecords {
            guard let index = expected[record.position] else { continue }
            let message = sent[index]
            if record.key != message.key || record.value != message.value || record.headers != message.headers {
                pythonMismatches.append(
                    "message \(index) at \(record.position): key \(hex(record.key)) vs \(hex(message.key)), "
                        + "value \(hex(record.value)) vs \(hex(message.value)), headers \(describe(record.headers)) vs \(describe(message.headers))"
                )
            }
        }
        let pythonMismatchCount = pythonMismatches.count
        #expect(
            pythonMismatchCount == 0,
            "confluent-kafka read messages that differ, e.g.\n\(pythonMismatches.prefix(3).joined(separator: "\n"))"
        )
    }

    @Test("1,000 messages from confluent-kafka, with null keys, tombstones and empty values, reach the Swift consumer intact")
    func otherClientToSwiftConsumer() async throws {
        let python = try await InteropTools.python()
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        let topic = uniqueName("interop-to-swift")
        try cluster.createTopic(topic, partitions: 4, replicationFactor: 3)

        let specs = (0..<Self.count).map(Self.pythonMessage)
        #expect(specs.filter { $0.key == nil }.count == 100)
        #expect(specs.filter { $0.value == nil }.count == 100)
        #expect(specs.filter { $0.value == [] }.count == 100)
        let stored = try await InteropTools.produceWithPython(python, bootstrapServers: cluster.bootstrapServers, topic: topic, specs)
        try #require(stored.count == Self.count, "confluent-kafka reported \(stored.count) of \(Self.count) messages stored")

        let consumer = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: uniqueName("interop")))
        try consumer.subscribe(topics: [topic])
        let received = try await consume(consumer, count: Self.count)
        await consumer.close()

        #expect(received.count == Self.count)
        #expect(Set(received.map { Position(partition: $0.partition, offset: $0.offset) }) == Set(stored.keys))
        var mismatches: [String] = []
        for message in received {
            let position = Position(partition: message.partition, offset: message.offset)
            guard let index = stored[position] else {
                mismatches.append("unexpected message at \(position)")
                continue
            }
            let spec = specs[index]
            if message.key != spec.key || message.value != spec.value || message.headers != (spec.headers ?? []) {
                mismatches.append(
                    "message \(index) at \(position): key \(hex(message.key)) vs \(hex(spec.key)), "
                        + "value \(hex(message.value)) vs \(hex(spec.value)), headers \(describe(message.headers)) vs \(describe(spec.headers ?? []))"
                )
            }
        }
        let mismatchCount = mismatches.count
        #expect(mismatchCount == 0, "the Swift consumer read messages that differ, e.g.\n\(mismatches.prefix(3).joined(separator: "\n"))")
        // The nulls and empties specifically, so that a regression names itself.
        let byIndex = Dictionary(uniqueKeysWithValues: received.compactMap { message in
            stored[Position(partition: message.partition, offset: message.offset)].map { ($0, message) }
        })
        #expect(byIndex[10]?.key == nil && byIndex[10]?.value != nil, "a null key arrives as nil")
        #expect(byIndex[11]?.value == nil && byIndex[11]?.key != nil, "a tombstone's value arrives as nil")
        #expect(byIndex[12]?.value == [], "an empty value arrives as empty, not nil")
        #expect(byIndex[13]?.key == [], "an empty key arrives as empty, not nil")
        #expect(byIndex[7]?.headers == [], "a message without headers arrives with none")
    }

    // MARK: The messages

    /// Message `index` from Swift: a distinct key (binary in some, null in one, empty in one), a binary value
    /// (null in one, empty in one, 64 KiB in one), and eight headers (repeated name, null, empty, binary, non-ASCII).
    fileprivate static func swiftMessage(_ index: Int, topic: String) -> KafkaProducerMessage {
        let key: [UInt8]? =
            switch index {
            case 0: nil
            case 1: []
            default: Array("swift-key-\(index)".utf8) + (index % 3 == 0 ? [0x00, 0xff, 0x0a, 0x09, 0xfe] : [])
            }
        let value: [UInt8]? =
            switch index {
            case 2: nil
            case 3: []
            case 4: Array(0...255)
            case 5: binary(seed: index, count: 65_536)
            default: binary(seed: index, count: 1 + (index * 37) % 700)
            }
        let headers = [
            KafkaHeader(key: "seq", string: "\(index)"),
            KafkaHeader(key: "content-type", string: "application/octet-stream"),
            // Binary, with bytes kcat's rendering uses as separators, but no NUL (kcat prints header values as C strings).
            KafkaHeader(key: "trace", value: [0x01, 0xff, 0x2c, 0x3d, 0x0a, 0x80] + Array("\(index)".utf8)),
            KafkaHeader(key: "dup", string: "first"),
            KafkaHeader(key: "dup", string: "second"),
            KafkaHeader(key: "empty", value: []),
            KafkaHeader(key: "null", value: nil),
            KafkaHeader(key: "ключ", string: "значение-\(index) ✓"),
        ]
        return KafkaProducerMessage(topic: topic, key: key, value: value, headers: headers)
    }

    /// Message `index` from confluent-kafka: every tenth key null (from 0), every tenth value null (from 1), every
    /// tenth value empty (from 2), every tenth key empty (from 3); no headers for every fiftieth (from 7); otherwise
    /// headers with a NUL byte, an empty and a null value and a repeated name.
    fileprivate static func pythonMessage(_ index: Int) -> MessageSpec {
        let key: [UInt8]? =
            switch index % 10 {
            case 0: nil
            case 3: []
            default: Array("python-key-\(index)".utf8) + (index % 4 == 0 ? [0x00, 0xc3, 0x28, 0xff] : [])
            }
        let value: [UInt8]? =
            switch index % 10 {
            case 1: nil
            case 2: []
            default: binary(seed: 7_919 &* index, count: 1 + (index * 53) % 900)
            }
        let headers: [KafkaHeader]? =
            index % 50 == 7
            ? nil
            : [
                KafkaHeader(key: "seq", string: "\(index)"),
                KafkaHeader(key: "binary", value: [0x00, 0x01, 0xff, 0x00] + binary(seed: index, count: index % 17)),
                KafkaHeader(key: "empty", value: []),
                KafkaHeader(key: "null", value: nil),
                KafkaHeader(key: "dup", string: "a"),
                KafkaHeader(key: "dup", string: "b"),
                KafkaHeader(key: "naïve", string: "ü-\(index)"),
            ]
        return MessageSpec(key: key, value: value, headers: headers)
    }

    /// Deterministic bytes covering all 256 values (a linear congruential sequence).
    fileprivate static func binary(seed: Int, count: Int) -> [UInt8] {
        var state = UInt64(truncatingIfNeeded: seed) &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }
}

/// The helper the clients above run under (also meant for crash tests): output, exit status, deadlines, signals.
@Suite("ChildProcess")
struct ChildProcessTests {
    @Test("run captures all of a large standard output, standard error, the input, and the exit status")
    func capturesOutputAndStatus() async throws {
        let big = try await ChildProcess.run("/bin/sh", ["-c", "head -c 3000000 /dev/zero; echo oops >&2; exit 3"], timeout: .seconds(60))
        #expect(big.termination == .exited(3))
        #expect(big.standardOutput.count == 3_000_000)
        #expect(big.standardErrorText == "oops\n")
        #expect(!big.succeeded)
        #expect(throws: ChildProcessError.self) { try big.requireSuccess() }

        let input = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0) })
        let echoed = try await ChildProcess.run("cat", input: input, timeout: .seconds(60))
        #expect(echoed.succeeded)
        #expect(echoed.standardOutput == input)
    }

    @Test("run stops a child that outlives its deadline and says so, with what it printed")
    func runDeadline() async throws {
        let start = ContinuousClock.now
        let error = await #expect(throws: ChildProcessError.self) {
            try await ChildProcess.run("/bin/sh", ["-c", "echo started; exec sleep 600"], timeout: .milliseconds(500))
        }
        // Bounded far below the child's 600 s (how it ended, SIGTERM or SIGKILL, depends on load; see `signals`).
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(error?.description.contains("killed by signal") == true)
        #expect(error?.description.contains("still running after") == true)
        #expect(error?.description.contains("started") == true)
    }

    @Test("A launched child is waited for by its output, killed by a signal, and reports the signal")
    func signals() async throws {
        let child = try ChildProcess.launch("/bin/sh", ["-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"])
        try await child.waitForOutput(containing: "ready", timeout: .seconds(30))
        #expect(child.termination == nil)
        // It ignores SIGTERM, so stop() has to escalate to SIGKILL.
        let termination = await child.stop(grace: .milliseconds(300))
        #expect(termination == .signalled(SIGKILL))
        #expect(try child.result().standardOutputText == "ready\n")

        // Launched from a task (whose thread blocks SIGTERM), a child still gets SIGTERM and SIGINT.
        for signal in [SIGTERM, SIGINT] {
            let sleeper = try ChildProcess.launch("sleep", ["600"])
            sleeper.send(signal: signal)
            #expect(try await sleeper.waitForExit(timeout: .seconds(10)) == .signalled(signal))
        }

        let quick = try ChildProcess.launch("/bin/sh", ["-c", "echo done"])
        await #expect(throws: ChildProcessError.self) {
            try await quick.waitForOutput(containing: "never printed", timeout: .seconds(30))
        }
        #expect(try await quick.waitForExit(timeout: .seconds(30)) == .exited(0))
    }
}

/// A message's place in a topic.
fileprivate struct Position: Hashable, Sendable, CustomStringConvertible {
    var partition: Int32
    var offset: Int64
    var description: String { "[\(partition)]@\(offset)" }
}

/// A message for produce.py to send. `headers == nil` means none at all.
fileprivate struct MessageSpec: Sendable {
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [KafkaHeader]?
}

/// A message as kcat printed it.
fileprivate struct KcatRecord: Sendable {
    var position: Position
    var key: [UInt8]?
    var value: [UInt8]?
    /// kcat's `%h`: `name=value` pairs joined by commas, a null value printed as `NULL`.
    var renderedHeaders: [UInt8]
}

/// A message as consume.py printed it.
fileprivate struct PythonRecord: Sendable {
    var position: Position
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [KafkaHeader]
}

/// Finding and driving the foreign clients.
fileprivate enum InteropTools {
    /// The repository root, from this file's place in it.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let scriptDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Interop").path

    static let clientTimeout: Duration = .seconds(120)

    struct MissingTool: Error, CustomStringConvertible {
        let description: String
    }

    /// kcat from `KINFER_KCAT`, else `kcat` on `PATH`.
    static func kcat() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let configured = environment["KINFER_KCAT"], !configured.isEmpty {
            guard let path = ChildProcess.findExecutable(configured) else {
                throw MissingTool(description: "KINFER_KCAT=\(configured) is not an executable; run scripts/test, which installs kcat")
            }
            return path
        }
        guard let path = ChildProcess.findExecutable("kcat") else {
            throw MissingTool(
                description: "kcat not found (KINFER_KCAT unset, no kcat on PATH): these interoperability tests need it. "
                    + "Run scripts/test, which installs it (Debian package kcat) and runs the tests"
            )
        }
        return path
    }

    /// A Python that can import confluent_kafka: `KINFER_PYTHON`, else the repository's `.venv/bin/python`.
    static func python() async throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let candidate: String
        let origin: String
        if let configured = environment["KINFER_PYTHON"], !configured.isEmpty {
            candidate = configured
            origin = "KINFER_PYTHON=\(configured)"
        } else {
            candidate = "\(repositoryRoot)/.venv/bin/python"
            origin = "KINFER_PYTHON unset, so \(candidate)"
        }
        guard let path = ChildProcess.findExecutable(candidate) else {
            throw MissingTool(
                description: "no Python with confluent-kafka (\(origin): not an executable). "
                    + "Run scripts/test, which makes the .venv with confluent-kafka and runs the tests"
            )
        }
        let probe = try await ChildProcess.run(path, ["-c", "import confluent_kafka"], timeout: .seconds(60))
        guard probe.succeeded else {
            throw MissingTool(
                description: "\(origin) cannot import confluent_kafka: \(probe). "
                    + "Run scripts/test, which installs confluent-kafka into .venv and runs the tests"
            )
        }
        return path
    }

    /// Reads the whole topic with kcat, framing key and value by their lengths (`%K`, `%S`) so any bytes survive.
    static func readWithKcat(_ kcat: String, bootstrapServers: String, topic: String) async throws -> [KcatRecord] {
        let terminator = Array("\n@@kinfer-end-of-record@@\n".utf8)
        let arguments = [
            "-C", "-b", bootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q",
            "-f", "%p %o %K %S\\n%k%s%h\\n@@kinfer-end-of-record@@\\n",
            "-X", "socket.nagle.disable=true", "-X", "fetch.wait.max.ms=10",
        ]
        let result = try await ChildProcess.run(kcat, arguments, timeout: clientTimeout)
        try result.requireSuccess()
        let bytes = [UInt8](result.standardOutput)
        var records: [KcatRecord] = []
        var cursor = 0
        func fail(_ why: String) -> ChildProcessError {
            ChildProcessError(description: "unexpected kcat output at byte \(cursor) of \(bytes.count) (\(why)): "
                + hex(Array(bytes[cursor..<min(bytes.count, cursor + 80)])))
        }
        while cursor < bytes.count {
            guard let newline = bytes[cursor...].firstIndex(of: 0x0a) else { throw fail("no record line") }
            let fields = String(decoding: bytes[cursor..<newline], as: UTF8.self).split(separator: " ").compactMap { Int64($0) }
            guard fields.count == 4, fields[2] >= -1, fields[3] >= -1 else { throw fail("bad record line") }
            cursor = newline + 1
            let keyLength = Int(max(fields[2], 0))
            let valueLength = Int(max(fields[3], 0))
            guard cursor + keyLength + valueLength <= bytes.count else { throw fail("truncated key or value") }
            let key = fields[2] < 0 ? nil : Array(bytes[cursor..<cursor + keyLength])
            cursor += keyLength
            let value = fields[3] < 0 ? nil : Array(bytes[cursor..<cursor + valueLength])
            cursor += valueLength
            guard let end = firstRange(of: terminator, in: bytes, from: cursor) else { throw fail("no end of record") }
            records.append(
                KcatRecord(
                    position: Position(partition: Int32(fields[0]), offset: fields[1]),
                    key: key, value: value, renderedHeaders: Array(bytes[cursor..<end])
                )
            )
            cursor = end + terminator.count
        }
        return records
    }

    /// How kcat 1.7 prints headers with `%h`: `name=value` joined by `,`, `NULL` for a null value, nothing for an
    /// empty one; values are printed as C strings, so a value ends at its first NUL byte.
    static func kcatRendering(of headers: [KafkaHeader]) -> [UInt8] {
        var rendered: [UInt8] = []
        for (index, header) in headers.enumerated() {
            if index > 0 { rendered.append(0x2c) }
            rendered += Array(header.key.utf8) + [0x3d]
            if let value = header.value {
                rendered += value.prefix { $0 != 0 }
            } else {
                rendered += Array("NULL".utf8)
            }
        }
        return rendered
    }

    /// Reads the whole topic with confluent-kafka (Interop/consume.py).
    static func readWithPython(_ python: String, bootstrapServers: String, topic: String) async throws -> [PythonRecord] {
        let result = try await ChildProcess.run(
            python,
            ["-u", "\(scriptDirectory)/consume.py", "--bootstrap-servers", bootstrapServers, "--topic", topic, "--timeout", "90"],
            timeout: clientTimeout
        )
        try result.requireSuccess()
        struct Line: Decodable {
            var partition: Int32
            var offset: Int64
            var key: String?
            var value: String?
            var headers: [[String?]]
        }
        let decoder = JSONDecoder()
        return try lines(of: result.standardOutput).map { line in
            let decoded = try decoder.decode(Line.self, from: line)
            let headers = try decoded.headers.map { pair throws -> KafkaHeader in
                guard pair.count == 2, let name = pair[0] else {
                    throw ChildProcessError(description: "consume.py printed a bad header: \(pair)")
                }
                return KafkaHeader(key: name, value: try unbase64(pair[1]))
            }
            return PythonRecord(
                position: Position(partition: decoded.partition, offset: decoded.offset),
                key: try unbase64(decoded.key), value: try unbase64(decoded.value), headers: headers
            )
        }
    }

    /// Produces `specs` with confluent-kafka (Interop/produce.py); returns where each one was stored.
    static func produceWithPython(
        _ python: String, bootstrapServers: String, topic: String, _ specs: [MessageSpec]
    ) async throws -> [Position: Int] {
        struct Line: Encodable {
            var key: String?
            var value: String?
            var headers: [[String?]]?
        }
        let encoder = JSONEncoder()
        var input = Data()
        for spec in specs {
            let line = Line(
                key: spec.key.map { Data($0).base64EncodedString() },
                value: spec.value.map { Data($0).base64EncodedString() },
                headers: spec.headers?.map { [$0.key, $0.value.map { Data($0).base64EncodedString() }] }
            )
            input.append(try encoder.encode(line))
            input.append(0x0a)
        }
        let result = try await ChildProcess.run(
            python,
            ["-u", "\(scriptDirectory)/produce.py", "--bootstrap-servers", bootstrapServers, "--topic", topic, "--timeout", "90"],
            input: input,
            timeout: clientTimeout
        )
        try result.requireSuccess()
        struct Stored: Decodable {
            var index: Int
            var partition: Int32
            var offset: Int64
        }
        var stored: [Position: Int] = [:]
        for line in lines(of: result.standardOutput) {
            let entry = try JSONDecoder().decode(Stored.self, from: line)
            stored[Position(partition: entry.partition, offset: entry.offset)] = entry.index
        }
        return stored
    }

    private static func lines(of data: Data) -> [Data] {
        data.split(separator: 0x0a).filter { !$0.isEmpty }.map { Data($0) }
    }

    private static func unbase64(_ text: String?) throws -> [UInt8]? {
        guard let text else { return nil }
        guard let data = Data(base64Encoded: text) else {
            throw ChildProcessError(description: "not base64: \(text)")
        }
        return [UInt8](data)
    }

    private static func firstRange(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard needle.count <= bytes.count - start else { return nil }
        var index = start
        while index <= bytes.count - needle.count {
            if bytes[index] == needle[0] && bytes[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

/// Headers as `name=hex` (or `name=nil`), for failure messages.
fileprivate func describe(_ headers: [KafkaHeader]) -> String {
    "[" + headers.map { "\($0.key)=\(hex($0.value))" }.joined(separator: ", ") + "]"
}

/// Bytes as hex (at most 48 shown), or `nil`.
fileprivate func hex(_ bytes: [UInt8]?) -> String {
    guard let bytes else { return "nil" }
    let shown = bytes.prefix(48).map { String(format: "%02x", $0) }.joined()
    return bytes.count > 48 ? "\(shown)…(\(bytes.count) bytes)" : "\(shown)"
}
