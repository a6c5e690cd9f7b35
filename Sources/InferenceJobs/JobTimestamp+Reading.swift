import Foundation

extension JobTimestamp {
    /// Numbers below this are seconds since 1970; at or above it, milliseconds.
    ///
    /// 10^11 seconds is the year 5138 and 10^11 milliseconds is 1973-03-03, so neither reading of a real timestamp
    /// falls on the wrong side: `time.time()` (about 1.8 × 10^9 today) and `Date.now()` (about 1.8 × 10^12) are told
    /// apart by size alone. The same reasoning separates milliseconds from microseconds at 10^14 and microseconds
    /// from nanoseconds (`time.time_ns()`) at 10^17.
    public static let millisecondsThreshold: Double = 1e11
    static let microsecondsThreshold: Double = 1e14
    static let nanosecondsThreshold: Double = 1e17

    /// Reads a number of seconds, milliseconds, microseconds or nanoseconds since 1970-01-01T00:00:00Z, the unit told
    /// by its size (see `millisecondsThreshold`); `nil` for a negative or non-finite number or a date after 9999.
    public static func date(sinceEpoch value: Double) -> Date? {
        guard value.isFinite, value >= 0 else { return nil }
        let seconds: Double =
            if value < self.millisecondsThreshold { value }
            else if value < self.microsecondsThreshold { value / 1e3 }
            else if value < self.nanosecondsThreshold { value / 1e6 }
            else { value / 1e9 }
        guard seconds * 1000 <= Double(self.latestMilliseconds) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// ``date(sinceEpoch:)`` of an integer, exact to the unit it is in: whole milliseconds read back as the same
    /// milliseconds, whatever `Double` division would round them to.
    public static func date(sinceEpoch value: Int) -> Date? {
        guard value >= 0 else { return nil }
        let magnitude = Double(value)
        if magnitude < self.millisecondsThreshold { return self.date(sinceEpoch: magnitude) }
        let (milliseconds, belowMilliseconds): (Int, Double) =
            if magnitude < self.microsecondsThreshold { (value, 0) }
            else if magnitude < self.nanosecondsThreshold { (value / 1000, Double(value % 1000) / 1e6) }
            else { (value / 1_000_000, Double(value % 1_000_000) / 1e9) }
        guard Int64(milliseconds) <= self.latestMilliseconds else { return nil }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000 + belowMilliseconds)
    }

    /// Parses a timestamp string; `nil` for anything else.
    ///
    /// Accepted: `YYYY-MM-DD`, optionally followed by `T` (or `t` or a space) and `HH:MM`, `HH:MM:SS` or
    /// `HH:MM:SS.fraction` (1 to 9 digits kept, more read and dropped; `,` as ISO 8601 allows), then `Z`, `z`,
    /// `±HH:MM`, `±HHMM`, `±HH` or nothing, which reads as UTC (Python's `isoformat()` of a naive datetime; Java's
    /// `LocalDateTime.toString()`). A date alone is its midnight in UTC. A string of a plain decimal number
    /// (`"1764672000.5"`) is read as ``date(sinceEpoch:)`` reads the number.
    static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        if let date = self.parseDateTime(bytes) { return date }
        return self.parseNumber(bytes)
    }

    private static func parseDateTime(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var reader = DigitReader(bytes: bytes)
        guard let year = reader.number(digits: 4), reader.skip("-"),
            let month = reader.number(digits: 2), reader.skip("-"),
            let day = reader.number(digits: 2),
            (1...12).contains(month), (1...self.daysIn(month: month, year: year)).contains(day)
        else { return nil }

        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, nanoseconds: Int64 = 0
        var offsetSeconds: Int64 = 0
        if !reader.isAtEnd {
            guard reader.skip("T") || reader.skip("t") || reader.skip(" "),
                let hours = reader.number(digits: 2), reader.skip(":"),
                let minutes = reader.number(digits: 2), hours < 24, minutes < 60
            else { return nil }
            (hour, minute) = (hours, minutes)
            if reader.skip(":") {
                guard let seconds = reader.number(digits: 2), seconds <= 60 else { return nil }
                second = seconds
                if reader.skip(".") || reader.skip(",") {
                    guard let fraction = reader.fraction() else { return nil }
                    nanoseconds = fraction
                }
            }
            guard let offset = reader.zoneOffset() else { return nil }
            offsetSeconds = offset
        }
        guard reader.isAtEnd else { return nil }

        let days = self.daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        let milliseconds = seconds * 1000 + nanoseconds / 1_000_000
        guard milliseconds <= self.latestMilliseconds else { return nil }
        let belowMilliseconds = Double(nanoseconds % 1_000_000) / 1e9
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000 + belowMilliseconds)
    }

    /// `digits[.digits]`, as some producers quote their epoch numbers.
    private static func parseNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard !bytes.isEmpty, bytes.count <= 32 else { return nil }
        var dots = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") { dots += 1 } else if !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { return nil }
        }
        guard dots <= 1, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        if dots == 0, let integer = Int(text) { return self.date(sinceEpoch: integer) }
        return Double(text).flatMap { self.date(sinceEpoch: $0) }
    }

    /// Reads fixed-width decimal fields and single separators from a timestamp.
    private struct DigitReader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var isAtEnd: Bool { self.index == self.bytes.count }

        mutating func number(digits: Int) -> Int64? {
            guard self.index + digits <= self.bytes.count else { return nil }
            var value: Int64 = 0
            for offset in 0..<digits {
                let byte = self.bytes[self.index + offset]
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            self.index += digits
            return value
        }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: character) else { return false }
            self.index += 1
            return true
        }

        /// At least one digit, as nanoseconds: the first nine count, any further ones are read and dropped.
        mutating func fraction() -> Int64? {
            var nanoseconds: Int64 = 0
            var digits = 0
            while let digit = self.number(digits: 1) {
                if digits < 9 { nanoseconds = nanoseconds * 10 + digit }
                digits += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanoseconds *= 10 }
            return nanoseconds
        }

        /// The zone's offset east of UTC in seconds: `0` for `Z` or no zone; `nil` for a malformed one.
        mutating func zoneOffset() -> Int64? {
            if self.isAtEnd || self.skip("Z") || self.skip("z") { return 0 }
            let sign: Int64
            if self.skip("+") { sign = 1 } else if self.skip("-") { sign = -1 } else { return nil }
            guard let hours = self.number(digits: 2), hours < 24 else { return nil }
            var minutes: Int64 = 0
            if self.skip(":") {
                guard let value = self.number(digits: 2) else { return nil }
                minutes = value
            } else if !self.isAtEnd {
                guard let value = self.number(digits: 2) else { return nil }
                minutes = value
            }
            guard minutes < 60 else { return nil }
            return sign * (hours * 3600 + minutes * 60)
        }
    }
}
