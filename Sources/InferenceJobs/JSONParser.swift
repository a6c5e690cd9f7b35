import Foundation

/// A strict RFC 8259 parser from UTF-8 bytes to `JSONValue`.
///
/// Hand-written rather than `JSONDecoder` because the worker decodes every message it takes: this parser needs no
/// intermediate `Decoder` machinery, keeps integers exact, and reports where the syntax broke.
struct JSONParser {
    /// Why the bytes are not JSON, and where.
    struct SyntaxError: Error {
        var message: String
        var offset: Int
    }

    /// Nesting deeper than this is refused instead of risking the stack on a hostile message.
    static let maximumDepth = 128

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses exactly one JSON value, surrounded by optional whitespace.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw parser.syntaxError("unexpected data after the JSON value")
        }
        return value
    }

    /// Where a checked string lies between its quotes, and whether it has escapes (then its text is not those bytes:
    /// `text(of:in:)` unescapes it).
    struct StringSpan {
        var bytes: Range<Int>
        var isEscaped: Bool

        /// Whether the string is `utf8`, compared where it lies.
        func equals(_ utf8: UnsafeBufferPointer<UInt8>, in buffer: UnsafeBufferPointer<UInt8>) -> Bool {
            if self.isEscaped { return JSONParser.text(of: self, in: buffer).utf8.elementsEqual(utf8) }
            guard self.bytes.count == utf8.count else { return false }
            return utf8.isEmpty || memcmp(buffer.baseAddress! + self.bytes.lowerBound, utf8.baseAddress!, utf8.count) == 0
        }
    }

    /// The text of a checked string.
    static func text(of span: StringSpan, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard span.isEscaped else { return String(decoding: UnsafeBufferPointer(rebasing: bytes[span.bytes]), as: UTF8.self) }
        return (try? self.string(in: bytes, at: span.bytes.lowerBound - 1)) ?? ""
    }

    /// One member of an object: where its key lies (a known key is compared there, never made a `String`), and the
    /// offset of its value in the parsed bytes.
    struct Member {
        var key: StringSpan
        var valueOffset: Int
        /// The value, when it is an array of numbers only (a job's features, a result's scores): read while it was
        /// checked, so that it is not read twice.
        var numbers: [Double]?
    }

    /// The members of the object `bytes` holds, in order, with the whole text checked exactly as `parse` checks it
    /// (the same bytes fail with the same error), but no value built: a decoder reads the values it knows with
    /// `value(in:at:)` and the other typed readers, straight into their types. `nil` when the text is JSON but not
    /// an object.
    static func members(_ bytes: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> [Member]? {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "{") else {
            _ = try self.parse(bytes)
            return nil
        }
        let members = try parser.readMembers()
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw parser.syntaxError("unexpected data after the JSON value")
        }
        return members
    }

    /// The members of the object at `offset`, which `members(_:)` has already checked.
    static func members(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) throws(SyntaxError) -> [Member] {
        var parser = JSONParser(bytes: bytes)
        parser.index = offset
        return try parser.readMembers()
    }

    private mutating func readMembers() throws(SyntaxError) -> [Member] {
        var members: [Member] = []
        members.reserveCapacity(12)
        try self.walkObject { key, parser throws(SyntaxError) in
            let offset = parser.index
            var numbers: [Double]?
            if offset < parser.bytes.count, parser.bytes[offset] == UInt8(ascii: "[") {
                numbers = try parser.skipArrayReadingNumbers()
            } else {
                try parser.skipValue()
            }
            members.append(Member(key: key, valueOffset: offset, numbers: numbers))
        }
        return members
    }

    /// The number of elements of the array at `index` if it holds no strings or containers (its commas plus one),
    /// so that its numbers are read into an array allocated once rather than grown; 0 otherwise.
    private func elementCountEstimate() -> Int {
        var commas = 0
        var index = self.index + 1
        while index < self.bytes.count {
            switch self.bytes[index] {
            case UInt8(ascii: ","): commas += 1
            case UInt8(ascii: "]"): return commas + 1
            case UInt8(ascii: "\""), UInt8(ascii: "["), UInt8(ascii: "{"): return 0
            default: break
            }
            index += 1
        }
        return 0
    }

    /// Checks the array at `index` as `skipValue` would and returns its elements when all are numbers.
    private mutating func skipArrayReadingNumbers() throws(SyntaxError) -> [Double]? {
        var numbers: [Double] = []
        numbers.reserveCapacity(self.elementCountEstimate())
        var onlyNumbers = true
        try self.walkArray { parser throws(SyntaxError) in
            guard parser.index < parser.bytes.count, Self.startsNumber(parser.bytes[parser.index]) else {
                onlyNumbers = false
                return try parser.skipValue()
            }
            switch try parser.parseNumber() {
            case .integer(let integer) where onlyNumbers: numbers.append(Double(integer))
            case .number(let number) where onlyNumbers: numbers.append(number)
            default: break
            }
        }
        return onlyNumbers ? numbers : nil
    }

    /// The value at `offset` of bytes already checked.
    static func value(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.index = offset
        return try parser.parseValue()
    }

    /// The bytes between the quotes of the string at `offset`, when it has no escapes; `nil` otherwise (then
    /// `string(in:at:)` reads it). The string must have been checked, by `members`.
    static func unescapedStringBytes(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UnsafeBufferPointer<UInt8>? {
        guard bytes[offset] == UInt8(ascii: "\"") else { return nil }
        var parser = JSONParser(bytes: bytes)
        parser.index = offset
        guard let range = try? parser.scanUnescaped() else { return nil }
        return UnsafeBufferPointer(rebasing: bytes[range])
    }

    /// The string at `offset` of bytes already checked, or `nil` when the value there is not a string.
    static func string(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) throws(SyntaxError) -> String? {
        guard bytes[offset] == UInt8(ascii: "\"") else { return nil }
        var parser = JSONParser(bytes: bytes)
        parser.index = offset
        return try parser.parseString()
    }

    private mutating func parseValue() throws(SyntaxError) -> JSONValue {
        guard self.index < self.bytes.count else { throw self.syntaxError("unexpected end of input") }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"): return try self.parseObject()
        case UInt8(ascii: "["): return try self.parseArray()
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"): try self.expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try self.expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try self.expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.parseNumber()
        default: throw self.syntaxError("unexpected character")
        }
    }

    private mutating func parseObject() throws(SyntaxError) -> JSONValue {
        var object: [String: JSONValue] = [:]
        try self.walkObject { key, parser throws(SyntaxError) in
            object[Self.text(of: key, in: parser.bytes)] = try parser.parseValue()
        }
        return .object(object)
    }

    private mutating func parseArray() throws(SyntaxError) -> JSONValue {
        var array: [JSONValue] = []
        try self.walkArray { parser throws(SyntaxError) in array.append(try parser.parseValue()) }
        return .array(array)
    }

    /// Reads the object starting at `index` (its `{`): for each member, its key, then `member` with the parser at
    /// the member's value, which `member` must read or skip.
    private mutating func walkObject(_ member: (StringSpan, inout JSONParser) throws(SyntaxError) -> Void) throws(SyntaxError) {
        try self.enterContainer()
        self.skipWhitespace()
        if self.consume(UInt8(ascii: "}")) {
            self.depth -= 1
            return
        }
        while true {
            self.skipWhitespace()
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") else {
                throw self.syntaxError("expected a string key")
            }
            let key = try self.skipString()
            self.skipWhitespace()
            guard self.consume(UInt8(ascii: ":")) else { throw self.syntaxError("expected ':'") }
            self.skipWhitespace()
            try member(key, &self)
            self.skipWhitespace()
            if self.consume(UInt8(ascii: ",")) { continue }
            guard self.consume(UInt8(ascii: "}")) else { throw self.syntaxError("expected ',' or '}'") }
            self.depth -= 1
            return
        }
    }

    /// Reads the array starting at `index` (its `[`), calling `element` with the parser at each element.
    private mutating func walkArray(_ element: (inout JSONParser) throws(SyntaxError) -> Void) throws(SyntaxError) {
        try self.enterContainer()
        self.skipWhitespace()
        if self.consume(UInt8(ascii: "]")) {
            self.depth -= 1
            return
        }
        while true {
            self.skipWhitespace()
            try element(&self)
            self.skipWhitespace()
            if self.consume(UInt8(ascii: ",")) { continue }
            guard self.consume(UInt8(ascii: "]")) else { throw self.syntaxError("expected ',' or ']'") }
            self.depth -= 1
            return
        }
    }

    /// Checks the value at `index` exactly as `parseValue` would, failing where it fails, without building it.
    private mutating func skipValue() throws(SyntaxError) {
        guard self.index < self.bytes.count else { throw self.syntaxError("unexpected end of input") }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"): try self.walkObject { _, parser throws(SyntaxError) in try parser.skipValue() }
        case UInt8(ascii: "["): try self.walkArray { parser throws(SyntaxError) in try parser.skipValue() }
        case UInt8(ascii: "\""): try self.skipString()
        case let byte where Self.startsNumber(byte): _ = try self.parseNumber()
        default: _ = try self.parseValue()  // a literal: nothing is allocated
        }
    }

    /// Checks a string as `parseString` would and returns where it lies; one without escapes is validated there, not
    /// copied.
    @discardableResult
    private mutating func skipString() throws(SyntaxError) -> StringSpan {
        let quote = self.index
        guard let range = try self.scanUnescaped() else {
            self.index = quote
            _ = try self.parseString()
            return StringSpan(bytes: quote + 1..<self.index - 1, isEscaped: true)
        }
        let utf8 = UnsafeBufferPointer(rebasing: self.bytes[range])
        guard Self.isASCII(utf8) || String(validating: utf8, as: UTF8.self) != nil else {
            throw SyntaxError(message: "invalid UTF-8 in string", offset: range.lowerBound)
        }
        return StringSpan(bytes: range, isEscaped: false)
    }

    /// Reads a string from its opening quote: returns where its bytes lie and leaves `index` past its closing quote,
    /// or stops at its first backslash and returns `nil`, since an escape needs a copy.
    private mutating func scanUnescaped() throws(SyntaxError) -> Range<Int>? {
        self.index += 1
        let start = self.index
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") {
                self.index += 1
                return start..<self.index - 1
            }
            if byte == UInt8(ascii: "\\") { return nil }
            if byte < 0x20 { throw self.syntaxError("control character in string") }
            self.index += 1
        }
        throw self.syntaxError("unterminated string")
    }

    /// Parses a number. An integer literal of at most 18 digits is accumulated as it is read; a number with a fraction
    /// or an exponent takes Clinger's fast path when it can (at most 15 significant digits, a power of ten up to
    /// 10^22: both exact as `Double`s, so the one multiplication or division rounds correctly); anything else goes
    /// through the standard library's correctly rounded conversion.
    private mutating func parseNumber() throws(SyntaxError) -> JSONValue {
        let start = self.index
        let isNegative = self.consume(UInt8(ascii: "-"))
        let integerStart = self.index
        var integer = 0
        if self.consume(UInt8(ascii: "0")) {
            if self.peekDigit() { throw self.syntaxError("leading zeros are not allowed") }
        } else {
            guard self.peekDigit() else { throw self.syntaxError("expected a digit") }
            self.accumulateDigits(into: &integer)
        }
        let integerDigits = self.index - integerStart
        var isInteger = true
        var fraction = 0
        var fractionDigits = 0
        if self.consume(UInt8(ascii: ".")) {
            isInteger = false
            let fractionStart = self.index
            guard self.peekDigit() else { throw self.syntaxError("expected a digit after '.'") }
            self.accumulateDigits(into: &fraction)
            fractionDigits = self.index - fractionStart
        }
        var exponent = 0
        var exponentDigits = 0
        if self.consume(UInt8(ascii: "e")) || self.consume(UInt8(ascii: "E")) {
            isInteger = false
            let negativeExponent = self.consume(UInt8(ascii: "-"))
            if !negativeExponent { _ = self.consume(UInt8(ascii: "+")) }
            let exponentStart = self.index
            guard self.peekDigit() else { throw self.syntaxError("expected a digit in the exponent") }
            self.accumulateDigits(into: &exponent)
            exponentDigits = self.index - exponentStart
            if negativeExponent { exponent = -exponent }
        }
        if isInteger && integerDigits <= 18 {
            return .integer(isNegative ? -integer : integer)
        }
        let scale = exponent - fractionDigits
        if !isInteger, integerDigits + fractionDigits <= 15, exponentDigits <= 3, (-22...22).contains(scale) {
            let significand = Double(integer &* Self.powersOfTen[fractionDigits] &+ fraction)
            let power = scale.magnitude <= 18
                ? Double(Self.powersOfTen[Int(scale.magnitude)])
                : Double(Self.powersOfTen[18]) * Double(Self.powersOfTen[Int(scale.magnitude) - 18])
            let value = scale < 0 ? significand / power : significand * power
            return .number(isNegative ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self)
        if isInteger, let value = Int(text) {
            return .integer(value)
        }
        guard let value = Double(text), value.isFinite else {
            throw SyntaxError(message: "number out of range", offset: start)
        }
        return .number(value)
    }

    /// Consumes digits, accumulating them into `value` (wrapping past 18 digits, where callers no longer use it).
    private mutating func accumulateDigits(into value: inout Int) {
        while self.index < self.bytes.count {
            let digit = self.bytes[self.index] &- UInt8(ascii: "0")
            guard digit < 10 else { return }
            value = value &* 10 &+ Int(digit)
            self.index += 1
        }
    }

    private static let powersOfTen: [Int] = (0...18).map { exponent in (0..<exponent).reduce(1) { result, _ in result * 10 } }

    /// Parses a string starting at its opening quote; strings without escapes are made straight from the buffer.
    private mutating func parseString() throws(SyntaxError) -> String {
        let start = self.index + 1
        if let range = try self.scanUnescaped() {
            return try self.makeString(UnsafeBufferPointer(rebasing: self.bytes[range]), at: range.lowerBound)
        }
        var unescaped = Array(UnsafeBufferPointer(rebasing: self.bytes[start..<self.index]))
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            self.index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return try unescaped.withUnsafeBufferPointer { buffer throws(SyntaxError) in
                    try self.makeString(buffer, at: start)
                }
            case UInt8(ascii: "\\"):
                try self.appendEscape(to: &unescaped)
            case ..<0x20:
                throw self.syntaxError("control character in string")
            default:
                unescaped.append(byte)
            }
        }
        throw self.syntaxError("unterminated string")
    }

    private mutating func appendEscape(to buffer: inout [UInt8]) throws(SyntaxError) {
        guard self.index < self.bytes.count else { throw self.syntaxError("unterminated escape") }
        let byte = self.bytes[self.index]
        self.index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try self.parseHexQuad())
            if (0xD800..<0xDC00).contains(scalar) {
                guard self.consume(UInt8(ascii: "\\")), self.consume(UInt8(ascii: "u")) else {
                    throw self.syntaxError("unpaired surrogate")
                }
                let low = UInt32(try self.parseHexQuad())
                guard (0xDC00..<0xE000).contains(low) else { throw self.syntaxError("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicodeScalar = Unicode.Scalar(scalar) else { throw self.syntaxError("unpaired surrogate") }
            buffer.append(contentsOf: String(Character(unicodeScalar)).utf8)
        default:
            throw self.syntaxError("invalid escape")
        }
    }

    private mutating func parseHexQuad() throws(SyntaxError) -> UInt16 {
        guard self.index + 4 <= self.bytes.count else { throw self.syntaxError("truncated \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw self.syntaxError("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt16(digit)
            self.index += 1
        }
        return value
    }

    /// Makes a string of UTF-8 bytes, refusing invalid ones. ASCII (keys, IDs, timestamps) needs no validation, and
    /// skipping `String(validating:)` for it skips its generic, unspecialized path.
    private func makeString(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int) throws(SyntaxError) -> String {
        if Self.isASCII(utf8) { return String(decoding: utf8, as: UTF8.self) }
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw SyntaxError(message: "invalid UTF-8 in string", offset: offset)
        }
        return string
    }

    private static func startsNumber(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isASCII(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var bits: UInt8 = 0
        for byte in utf8 { bits |= byte }
        return bits < 0x80
    }

    private mutating func enterContainer() throws(SyntaxError) {
        self.depth += 1
        guard self.depth <= Self.maximumDepth else { throw self.syntaxError("nested too deeply") }
        self.index += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(SyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count else { throw self.syntaxError("unexpected end of input") }
        for offset in 0..<count where self.bytes[self.index + offset] != literal.utf8Start[offset] {
            throw self.syntaxError("invalid literal")
        }
        self.index += count
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard self.index < self.bytes.count, self.bytes[self.index] == byte else { return false }
        self.index += 1
        return true
    }

    private func peekDigit() -> Bool {
        self.index < self.bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self.bytes[self.index])
    }

    private mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): self.index += 1
            default: return
            }
        }
    }

    private func syntaxError(_ message: String) -> SyntaxError {
        SyntaxError(message: message, offset: self.index)
    }
}
