/// Why one delivery attempt did not succeed, for the retry record, the DLQ headers and the metrics' outcome label.
public struct DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure; new codes can be added without breaking the API.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case status = "HTTP status"
            case redirect
            case gone
            case timeout
            case connection
            case refused
        }
        fileprivate let base: Base

        /// The receiver answered a status other than 2xx, 3xx and 410; see ``DeliveryFailure/status``.
        public static let status = Code(base: .status)
        /// The receiver answered 3xx, which is never followed.
        public static let redirect = Code(base: .redirect)
        /// The receiver answered 410 Gone: it wants no more deliveries for this job.
        public static let gone = Code(base: .gone)
        /// No complete answer within the timeout.
        public static let timeout = Code(base: .timeout)
        /// The connection could not be made or was lost (including TLS failures).
        public static let connection = Code(base: .connection)
        /// The guard refused the URL; nothing was sent.
        public static let refused = Code(base: .refused)

        public var description: String { self.base.rawValue }
    }

    public let code: Code
    /// The receiver's status, when it answered.
    public let status: Int?
    /// What happened, in words.
    public let message: String

    public init(_ code: Code, status: Int? = nil, _ message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    public var description: String {
        if let status { return "\(self.code) \(status): \(self.message)" }
        return "\(self.code): \(self.message)"
    }
}
