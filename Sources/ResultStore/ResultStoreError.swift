/// Why a ``ResultStore`` operation failed.
public struct ResultStoreError: Error, CustomStringConvertible {
    /// The kind of failure; new codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable {
            case unavailable
            case rejected
            case corruptRow
            case invalidURL
        }

        let base: Base

        /// The database could not be reached, went away mid-operation, or did not answer within the store's
        /// timeout. Retryable: pause, then try again with the same input.
        public static let unavailable = Code(base: .unavailable)
        /// The database refused the statement, e.g. because the schema is missing or another program changed it.
        /// Retrying will not help.
        public static let rejected = Code(base: .rejected)
        /// A stored row could not be read back as a result.
        public static let corruptRow = Code(base: .corruptRow)
        /// The store's URL names no database this program can use.
        public static let invalidURL = Code(base: .invalidURL)

        public var description: String {
            switch self.base {
            case .unavailable: "unavailable"
            case .rejected: "rejected"
            case .corruptRow: "corruptRow"
            case .invalidURL: "invalidURL"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, for logs and operators. Never contains passwords or result contents.
    public var message: String

    /// Whether the same call may succeed later: `true` only for ``Code-swift.struct/unavailable``.
    public var isRetryable: Bool { self.code == .unavailable }

    public var description: String { "ResultStoreError(\(self.code)): \(self.message)" }

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    static func unavailable(_ message: String) -> Self { Self(code: .unavailable, message: message) }
    static func rejected(_ message: String) -> Self { Self(code: .rejected, message: message) }
    static func corruptRow(_ message: String) -> Self { Self(code: .corruptRow, message: message) }
    static func invalidURL(_ message: String) -> Self { Self(code: .invalidURL, message: message) }
}
