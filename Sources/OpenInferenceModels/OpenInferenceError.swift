import InferenceJobs

/// Why a call to an Open Inference Protocol server failed, and whether trying again may help.
///
/// Only an answer from the server can make a failure fatal: a refused request (4xx other than 408 and 429) says the
/// request itself is wrong. No answer (timeout, refused or dropped connection) and answers that say "later"
/// (408, 429, 5xx) are retryable.
public struct OpenInferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure; new codes can be added without breaking the API.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case invalidURL = "invalid URL"
            case timeout
            case connection
            case status = "HTTP status"
            case badInput = "bad input"
            case badResponse = "bad response"
            case notReady = "not ready"
        }
        fileprivate let base: Base

        /// The model URL cannot be parsed.
        public static let invalidURL = Code(base: .invalidURL)
        /// No complete answer within the request timeout.
        public static let timeout = Code(base: .timeout)
        /// The connection could not be made or was lost.
        public static let connection = Code(base: .connection)
        /// The server answered with a status other than 200; see ``OpenInferenceError/status``.
        public static let status = Code(base: .status)
        /// The inputs cannot be written as the model's tensor (mixed lengths, a value out of the datatype's range).
        public static let badInput = Code(base: .badInput)
        /// The server answered 200 with a body that is not the inference response expected.
        public static let badResponse = Code(base: .badResponse)
        /// The model did not become ready in time at start-up.
        public static let notReady = Code(base: .notReady)

        public var description: String { self.base.rawValue }
    }

    public let code: Code
    /// The HTTP status, for ``Code/status``.
    public let status: Int?
    /// What went wrong; for a refused request, the server's own message.
    public let message: String

    public init(_ code: Code, status: Int? = nil, _ message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    /// Whether the worker should try the job again.
    public var failureClass: FailureClass {
        switch self.code.base {
        case .timeout, .connection, .notReady:
            return .retryable
        case .status:
            return self.status.map(FailureClass.init(modelServerStatus:)) ?? .retryable
        case .invalidURL, .badInput, .badResponse:
            return .fatal
        }
    }

    public var description: String {
        switch self.code.base {
        case .status: "the model server answered \(self.status.map(String.init) ?? "?"): \(self.message)"
        default: "\(self.code): \(self.message)"
        }
    }
}
