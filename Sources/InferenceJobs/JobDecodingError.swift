/// Why a message could not be read as a job or a result.
///
/// Precise enough for the worker to dead-letter the message with a useful `kinfer-error-message` (its
/// `description`), and, when `jobID` could be read, to publish a `failed` result so the submitter is not left waiting.
public struct JobDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem. New codes may be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String {
            case emptyMessage = "empty_message"
            case oversized = "oversized"
            case notJSON = "not_json"
            case notAnObject = "not_an_object"
            case missingJobID = "missing_job_id"
            case missingField = "missing_field"
            case wrongFieldType = "wrong_field_type"
            case invalidValue = "invalid_value"
            case invalidTimestamp = "invalid_timestamp"
            case missingFeatures = "missing_features"
            case nonNumericFeatures = "non_numeric_features"
        }

        fileprivate let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The message has no value, or a zero-length one.
        public static let emptyMessage = Code(.emptyMessage)
        /// The message is larger than the decoder's limit.
        public static let oversized = Code(.oversized)
        /// The message is not syntactically valid UTF-8 JSON.
        public static let notJSON = Code(.notJSON)
        /// The message is JSON but not an object.
        public static let notAnObject = Code(.notAnObject)
        /// The object has no `job_id`.
        public static let missingJobID = Code(.missingJobID)
        /// A required field other than `job_id` or `features` is absent (results only).
        public static let missingField = Code(.missingField)
        /// A field has the wrong JSON type; `field` names it.
        public static let wrongFieldType = Code(.wrongFieldType)
        /// A field has the right type but an unusable value, e.g. an empty `job_id` or a negative `timeout_ms`.
        public static let invalidValue = Code(.invalidValue)
        /// A timestamp field is a string but not RFC 3339.
        public static let invalidTimestamp = Code(.invalidTimestamp)
        /// The job has no model input: no `features`, `prompt` or `messages`, in `inputs` or at the top level.
        public static let missingFeatures = Code(.missingFeatures)
        /// `features` is not an array of numbers.
        public static let nonNumericFeatures = Code(.nonNumericFeatures)

        /// The stable snake_case name, e.g. `missing_job_id`; safe for headers and metric labels.
        public var description: String { self.base.rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// A human-readable explanation naming the field and, where useful, the position.
    public var message: String
    /// The job's ID when it could be read before the problem was found.
    public var jobID: String?
    /// The offending field as a path, e.g. `inputs.features[3]`, when there is one.
    public var field: String?

    public init(code: Code, message: String, jobID: String? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.jobID = jobID
        self.field = field
    }

    /// The stable snake_case reason, e.g. `wrong_field_type`; the same as `code.description`.
    public var reason: String { self.code.description }

    public var description: String { "\(self.reason): \(self.message)" }
}
