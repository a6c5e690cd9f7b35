import SQLiteNIO

extension ResultStoreError {
    /// Classifies an error from sqlite-nio: a busy or locked file, an I/O failure, a full disk or a file that
    /// cannot be opened is ``Code-swift.struct/unavailable``; anything else is ``Code-swift.struct/rejected``.
    init(sqlite error: any Error, during operation: String) {
        switch error {
        case let error as ResultStoreError:
            self = error
        case let error as SQLiteError:
            // Extended result codes refine the basic ones and are named after them, e.g. `busyTimeout`.
            let reason = "\(error.reason)"
            let transient = ["busy", "locked", "ioError", "full", "cantOpen", "noMemory"].contains { reason.hasPrefix($0) }
            let message = "\(operation) failed: \(error)"
            self = transient ? .unavailable(message) : .rejected(message)
        default:
            self = .unavailable("\(operation) failed: \(error)")
        }
    }
}
