@testable import Gateway
import Logging
import Synchronization
import Testing

@Suite("The request logger's deferred metadata")
struct DeferredMetadataLogHandlerTests {
    /// Records what reaches it.
    struct Recorder: LogHandler {
        let lines: Locked<[(Logger.Level, String, Logger.Metadata)]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            self.lines.withLock { $0.append((level, message.description, self.metadata.merging(metadata ?? [:]) { $1 })) }
        }
    }

    @Test("Metadata set on the request's logger, the base logger's and the call's all reach the log line; the base's level holds")
    func metadataReachesTheLine() {
        let lines = Locked<[(Logger.Level, String, Logger.Metadata)]>([])
        var base = Logger(label: "base") { _ in Recorder(lines: lines) }
        base[metadataKey: "service"] = "gateway"
        var request = Logger(label: "base") { _ in DeferredMetadataLogHandler(wrapping: base) }
        request[metadataKey: "hb.request.id"] = "42"
        request.debug("dropped at the base's level")
        request.info("kept", metadata: ["route": "/v1/jobs"])
        let recorded = lines.withLock { $0 }
        #expect(recorded.count == 1)
        #expect(recorded.first?.1 == "kept")
        #expect(recorded.first?.2 == ["service": "gateway", "hb.request.id": "42", "route": "/v1/jobs"])
        #expect(request[metadataKey: "service"] == "gateway")
    }
}
