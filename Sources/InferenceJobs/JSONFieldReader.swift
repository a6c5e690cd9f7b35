import Foundation

/// Takes the known fields out of a JSON object one by one, turning type problems into `JobDecodingError`s that name
/// the field; whatever is left afterwards is the object's unknown fields.
///
/// A JSON `null` reads as an absent field, the way Python's `None` is usually meant.
struct JSONFieldReader {
    private(set) var remaining: [String: JSONValue]
    /// The path of this object inside the message, e.g. `inputs.`, used to name fields in errors.
    private let path: String
    /// The job ID once known, attached to every error.
    var jobID: String?

    init(_ object: [String: JSONValue], path: String = "", jobID: String? = nil) {
        self.remaining = object
        self.path = path
        self.jobID = jobID
    }

    /// Removes and returns `key`'s value, or `nil` when it is absent or `null`.
    mutating func take(_ key: String) -> JSONValue? {
        switch self.remaining.removeValue(forKey: key) {
        case nil, .null?: nil
        case let value?: value
        }
    }

    /// Removes and returns `key`'s value, `null` included; for the few fields where `null` has a meaning.
    mutating func takeRaw(_ key: String) -> JSONValue? {
        self.remaining.removeValue(forKey: key)
    }

    mutating func string(_ key: String) throws(JobDecodingError) -> String? {
        switch self.take(key) {
        case nil: return nil
        case .string(let value)?: return value
        case _?: throw self.wrongType(key, expected: "a string")
        }
    }

    mutating func integer(_ key: String) throws(JobDecodingError) -> Int? {
        switch self.take(key) {
        case nil: return nil
        case .integer(let value)?: return value
        case .number(let value)? where value == value.rounded() && abs(value) < 9_007_199_254_740_992:
            return Int(value)
        case _?: throw self.wrongType(key, expected: "an integer")
        }
    }

    mutating func object(_ key: String) throws(JobDecodingError) -> [String: JSONValue]? {
        switch self.take(key) {
        case nil: return nil
        case .object(let value)?: return value
        case _?: throw self.wrongType(key, expected: "an object")
        }
    }

    mutating func timestamp(_ key: String) throws(JobDecodingError) -> Date? {
        guard let text = try self.string(key) else { return nil }
        guard let date = JobTimestamp.parse(text) else {
            throw self.error(
                .invalidTimestamp, key,
                "'\(self.path)\(key)' is not an RFC 3339 timestamp such as 2026-11-29T01:46:51.123Z"
            )
        }
        return date
    }

    /// Reads an array of numbers; `nil` when absent.
    mutating func numbers(_ key: String, code: JobDecodingError.Code) throws(JobDecodingError) -> [Double]? {
        guard let value = self.take(key) else { return nil }
        guard case .array(let elements) = value else {
            throw self.error(code, key, "'\(self.path)\(key)' must be an array of numbers")
        }
        var numbers: [Double] = []
        numbers.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            switch element {
            case .integer(let integer): numbers.append(Double(integer))
            case .number(let number): numbers.append(number)
            default:
                throw self.error(code, "\(key)[\(index)]", "'\(self.path)\(key)[\(index)]' is not a number")
            }
        }
        return numbers
    }

    func missing(_ key: String, code: JobDecodingError.Code = .missingField) -> JobDecodingError {
        self.error(code, key, "'\(self.path)\(key)' is required")
    }

    func invalid(_ key: String, _ explanation: String) -> JobDecodingError {
        self.error(.invalidValue, key, "'\(self.path)\(key)' \(explanation)")
    }

    func wrongType(_ key: String, expected: String) -> JobDecodingError {
        self.error(.wrongFieldType, key, "'\(self.path)\(key)' must be \(expected)")
    }

    private func error(_ code: JobDecodingError.Code, _ key: String, _ message: String) -> JobDecodingError {
        JobDecodingError(code: code, message: message, jobID: self.jobID, field: self.path + key)
    }
}
