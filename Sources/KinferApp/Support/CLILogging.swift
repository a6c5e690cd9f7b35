import Foundation
import Logging

/// Logs go to stderr through swift-log, at a level chosen by `--log-level` / `KINFER_LOG_LEVEL`.
public enum CLILogging {
    /// Sets up logging once per process; `level` applies to every logger made afterwards.
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Parses a level name, or explains the accepted ones.
    public static func level(_ text: String) throws(CLIError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw CLIError("unknown log level '\(text)'", hint: "use one of \(names)")
        }
        return level
    }

    /// A logger that says nothing, for probes whose failure is reported as one error line instead.
    public static var silent: Logger {
        var logger = Logger(label: "kinfer.probe", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        return logger
    }
}
