import Logging

/// The logger Hummingbird copies for each request: it keeps the metadata set on it (each request's
/// `hb.request.id`) as given and passes it on only when something is logged.
///
/// swift-log's `StreamLogHandler` renders its metadata into a string each time it changes, so tagging every request
/// costs a string built and thrown away, since almost no request logs anything.
struct DeferredMetadataLogHandler: LogHandler {
    private var base: Logger
    var metadata: Logger.Metadata = [:]

    init(wrapping base: Logger) {
        self.base = base
    }

    var logLevel: Logger.Level {
        get { self.base.logLevel }
        set { self.base.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] ?? self.base[metadataKey: key] }
        set { self.metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        let merged = metadata.map { self.metadata.merging($0) { $1 } } ?? self.metadata
        self.base.log(level: level, message, metadata: merged, source: source, file: file, function: function, line: line)
    }
}
