import Foundation

/// Takes the known fields out of a JSON object one by one, turning type problems into `JobDecodingError`s that name
/// the field; whatever is left afterwards is the object's unknown fields.
///
/// It reads the object's bytes where they lie (`JSONParser.members`): the fields a decoder knows are read straight
/// into their types, and only unknown ones become `JSONValue`s, so a job is decoded without a dictionary or a value
/// tree. It points into the message's bytes: make and use it inside the closure that lends them
/// (`JobCodec.readObject`).
///
/// A JSON `null` reads as an absent field, the way Python's `None` is usually meant. A key given twice counts once,
/// with its last value, as in a dictionary.
struct JSONFieldReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    /// The object's members in order.
    private let members: [JSONParser.Member]
    /// The indices of the members read. Kept apart from `members`, which a mark would copy whenever the array is
    /// shared (as it is while the reader is handed out).
    private var taken = MemberIndices()
    /// The path of this object inside the message, e.g. `inputs.`, used to name fields in errors.
    private let path: String
    /// The job ID once known, attached to every error.
    var jobID: String?

    init(_ bytes: UnsafeBufferPointer<UInt8>, members: [JSONParser.Member], path: String = "", jobID: String? = nil) {
        self.bytes = bytes
        self.members = members
        self.path = path
        self.jobID = jobID
    }

    /// The fields not taken, as values; a key given twice keeps its last value.
    var remaining: [String: JSONValue] {
        var remaining: [String: JSONValue] = [:]
        for (index, member) in self.members.enumerated() where !self.taken.contains(index) {
            remaining[JSONParser.text(of: member.key, in: self.bytes)] = self.value(at: member.valueOffset)
        }
        return remaining
    }

    /// Takes every member named `key` and returns the last one, `null` included; `nil` when absent.
    private mutating func takeMember(_ key: String) -> JSONParser.Member? {
        var found: Int?
        var key = key
        key.withUTF8 { wanted in
            for index in self.members.indices where !self.taken.contains(index) && self.members[index].key.equals(wanted, in: self.bytes) {
                self.taken.insert(index)
                found = index
            }
        }
        return found.map { self.members[$0] }
    }

    /// Like `takeMember`, but `nil` for a `null` value too.
    private mutating func takeNonNullMember(_ key: String) -> JSONParser.Member? {
        guard let member = self.takeMember(key), self.bytes[member.valueOffset] != UInt8(ascii: "n") else { return nil }
        return member
    }

    private mutating func takeNonNullOffset(_ key: String) -> Int? {
        self.takeNonNullMember(key)?.valueOffset
    }

    /// The value at `offset`, which `JSONParser.members` has checked; `null` should that ever fail.
    private func value(at offset: Int) -> JSONValue {
        (try? JSONParser.value(in: self.bytes, at: offset)) ?? .null
    }

    /// Removes and returns `key`'s value, or `nil` when it is absent or `null`.
    mutating func take(_ key: String) -> JSONValue? {
        self.takeNonNullOffset(key).map(self.value(at:))
    }

    /// Removes and returns `key`'s value, `null` included; for the few fields where `null` has a meaning.
    mutating func takeRaw(_ key: String) -> JSONValue? {
        self.takeMember(key).map { self.value(at: $0.valueOffset) }
    }

    mutating func string(_ key: String) throws(JobDecodingError) -> String? {
        guard let offset = self.takeNonNullOffset(key) else { return nil }
        guard let string = try? JSONParser.string(in: self.bytes, at: offset) else {
            throw self.wrongType(key, expected: "a string")
        }
        return string
    }

    mutating func bool(_ key: String) throws(JobDecodingError) -> Bool? {
        switch self.take(key) {
        case nil: return nil
        case .bool(let value)?: return value
        case _?: throw self.wrongType(key, expected: "true or false")
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

    /// A reader of the object `key`, its fields named `<path><key>.` in errors; `nil` when absent.
    mutating func object(_ key: String) throws(JobDecodingError) -> JSONFieldReader? {
        guard let offset = self.takeNonNullOffset(key) else { return nil }
        guard self.bytes[offset] == UInt8(ascii: "{"), let members = try? JSONParser.members(in: self.bytes, at: offset) else {
            throw self.wrongType(key, expected: "an object")
        }
        return JSONFieldReader(self.bytes, members: members, path: self.path + key + ".", jobID: self.jobID)
    }

    /// Reads an optional field with `read`; one it cannot read is appended to `ignored` and read as absent.
    mutating func optional<Value>(
        _ ignored: inout [JobDecodingError],
        _ read: (inout JSONFieldReader) throws(JobDecodingError) -> Value?
    ) -> Value? {
        do {
            return try read(&self)
        } catch {
            ignored.append(error)
            return nil
        }
    }

    /// A string, or an integer read as its decimal digits (`"job_id": 12345` as many services number their jobs).
    mutating func identifier(_ key: String) throws(JobDecodingError) -> String? {
        guard let offset = self.takeNonNullOffset(key) else { return nil }
        if let string = try? JSONParser.string(in: self.bytes, at: offset) { return string }
        guard case .integer(let integer) = self.value(at: offset) else {
            throw self.wrongType(key, expected: "a string or an integer")
        }
        return String(integer)
    }

    /// A number of milliseconds: an integer, or a finite non-negative number whose fraction is dropped.
    mutating func milliseconds(_ key: String) throws(JobDecodingError) -> Int? {
        switch self.take(key) {
        case nil: return nil
        case .integer(let value)?:
            guard value >= 0 else { throw self.invalid(key, "must not be negative") }
            return value
        case .number(let value)?:
            guard value >= 0, value < 9_007_199_254_740_992 else { throw self.invalid(key, "must be a non-negative number of milliseconds") }
            return Int(value)
        case _?: throw self.wrongType(key, expected: "a number of milliseconds")
        }
    }

    /// A timestamp in any form `JobTimestamp` reads: an RFC 3339 / ISO 8601 string, or a number since the epoch.
    mutating func timestamp(_ key: String) throws(JobDecodingError) -> Date? {
        guard let offset = self.takeNonNullOffset(key) else { return nil }
        let date: Date?
        if let text = JSONParser.unescapedStringBytes(in: self.bytes, at: offset) {
            date = JobTimestamp.parse(utf8: text)  // read where it lies: no String for a value only parsed
        } else if let text = try? JSONParser.string(in: self.bytes, at: offset) {
            date = JobTimestamp.parse(text)
        } else {
            switch self.value(at: offset) {
            case .integer(let integer): date = JobTimestamp.date(sinceEpoch: integer)
            case .number(let number): date = JobTimestamp.date(sinceEpoch: number)
            default: throw self.wrongType(key, expected: "a timestamp string or a number since the epoch")
            }
        }
        guard let date else {
            throw self.error(
                .invalidTimestamp, key,
                "'\(self.path)\(key)' is not a timestamp kinfer reads (RFC 3339 such as 2026-11-29T01:46:51.123Z, or "
                    + "seconds or milliseconds since 1970, from 1970 to 9999)"
            )
        }
        return date
    }

    /// Reads an array of numbers; `nil` when absent or `null`. `null` elements read as `nullAs` when it is given,
    /// else fail like any other non-number.
    mutating func numbers(_ key: String, code: JobDecodingError.Code, nullAs: Double? = nil) throws(JobDecodingError) -> [Double]? {
        guard let member = self.takeNonNullMember(key) else { return nil }
        if let numbers = member.numbers { return numbers }  // read by the scan: only numbers
        guard case .array(let elements) = self.value(at: member.valueOffset) else {
            throw self.error(code, key, "'\(self.path)\(key)' must be an array of numbers")
        }
        var numbers: [Double] = []
        numbers.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            switch element {
            case .integer(let integer): numbers.append(Double(integer))
            case .number(let number): numbers.append(number)
            case .null where nullAs != nil: numbers.append(nullAs!)
            default: throw self.error(code, "\(key)[\(index)]", "'\(self.path)\(key)[\(index)]' is not a number")
            }
        }
        return numbers
    }

    func missing(_ key: String, code: JobDecodingError.Code = .missingField) -> JobDecodingError {
        self.error(code, key, "'\(self.path)\(key)' is required")
    }

    /// No model input: neither `features` for a classifier nor `prompt` or `messages` for a generative model.
    func missingModelInput() -> JobDecodingError {
        self.error(.missingFeatures, "features", "'\(self.path)features' is required ('\(self.path)prompt' or '\(self.path)messages' for a generative model)")
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

/// A set of member indices that needs no allocation for an object's first 64 members.
private struct MemberIndices {
    private var first64: UInt64 = 0
    private var rest: Set<Int> = []

    func contains(_ index: Int) -> Bool {
        index < 64 ? self.first64 & (1 << UInt64(index)) != 0 : self.rest.contains(index)
    }

    mutating func insert(_ index: Int) {
        if index < 64 { self.first64 |= 1 << UInt64(index) } else { self.rest.insert(index) }
    }
}
