import InferenceJobs

/// Why a call to a model server failed, and whether trying again may help: one type for every model-server client
/// (Open Inference, chat completions), so that a failure is classed by one rule whichever protocol met it.
///
/// Only an answer from the server can make a failure fatal: a refused request (4xx other than 408 and 429) says the
/// request itself is wrong. No answer, an answer that says "later" (408, 429, 5xx), and a stream that breaks off (cut
/// before its end, or an error event in the middle) are retryable: a generation is not a function of its input alone,
/// and the next attempt may well finish.
public struct ModelServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure; new codes can be added without breaking the API.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case invalidURL = "invalid URL"
            case timeout
            case connection
            case status = "HTTP status"
            case badInput = "bad input"
            case badResponse = "bad response"
            case incompleteStream = "incomplete stream"
            case streamError = "stream error"
            case notReady = "not ready"
        }
        fileprivate let base: Base

        /// The model server's URL cannot be parsed.
        public static let invalidURL = Code(base: .invalidURL)
        /// No response head, or no next piece of the stream, within the request timeout.
        public static let timeout = Code(base: .timeout)
        /// The connection could not be made or was lost.
        public static let connection = Code(base: .connection)
        /// The server answered with a status other than 200; see ``ModelServerError/status``.
        public static let status = Code(base: .status)
        /// The job's input cannot be sent as the protocol's request: no `prompt` and no `messages` for a chat model,
        /// features the tensor's datatype cannot hold for an Open Inference model.
        public static let badInput = Code(base: .badInput)
        /// The server answered 200 with something that is not the protocol's response.
        public static let badResponse = Code(base: .badResponse)
        /// A streamed response ended before its end (`data: [DONE]` for chat completions).
        public static let incompleteStream = Code(base: .incompleteStream)
        /// The server sent an error in the middle of the stream.
        public static let streamError = Code(base: .streamError)
        /// The server did not become ready in time at start-up, or could not say which model it serves.
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
        case .timeout, .connection, .incompleteStream, .streamError, .notReady:
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
