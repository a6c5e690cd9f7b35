import Foundation

/// The contract's one timestamp form: RFC 3339 in UTC with milliseconds, e.g. `2026-11-29T01:46:51.123Z`.
///
/// Written by hand rather than with `ISO8601DateFormatter` because every result carries two or three timestamps and
/// the worker writes about 100k results per second. Reading is lenient within RFC 3339: fractional seconds may be
/// absent or have any number of digits, and any UTC offset (`+02:00`, `-05:30`) is accepted.
public enum JobTimestamp {
    /// Formats `date` rounded to the nearest millisecond, e.g. `2026-11-29T01:46:51.123Z`.
    ///
    /// Dates before year 0000 or after 9999 are clamped to that range, the only one four year digits can express.
    public static func format(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        self.append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses an RFC 3339 timestamp; returns `nil` for anything else.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { self.parse(utf8: $0) }
    }

    /// Milliseconds between 1970-01-01 and 0000-01-01 / 9999-12-31T23:59:59.999.
    private static let earliestMilliseconds: Int64 = -62_167_219_200_000
    private static let latestMilliseconds: Int64 = 253_402_300_799_999
    private static let millisecondsPerDay: Int64 = 86_400_000

    static func append(_ date: Date, to bytes: inout [UInt8]) {
        let exact = (date.timeIntervalSince1970 * 1000).rounded()
        let milliseconds: Int64 =
            if exact.isNaN { 0 } else {
                Int64(min(max(exact, Double(earliestMilliseconds)), Double(latestMilliseconds)))
            }
        let days = milliseconds >= 0 ? milliseconds / millisecondsPerDay : (milliseconds + 1) / millisecondsPerDay - 1
        var remainder = milliseconds - days * millisecondsPerDay
        let (year, month, day) = self.civilDate(fromDaysSince1970: days)
        let hour = remainder / 3_600_000
        remainder -= hour * 3_600_000
        let minute = remainder / 60_000
        remainder -= minute * 60_000
        let second = remainder / 1000
        let millisecond = remainder - second * 1000

        // The 24 bytes are written in place and appended at once, not one append per character.
        withUnsafeTemporaryAllocation(byteCount: 24, alignment: 1) { text in
            self.writeDigits(year, count: 4, endingAt: 4, in: text)
            text[4] = UInt8(ascii: "-")
            self.writeDigits(month, count: 2, endingAt: 7, in: text)
            text[7] = UInt8(ascii: "-")
            self.writeDigits(day, count: 2, endingAt: 10, in: text)
            text[10] = UInt8(ascii: "T")
            self.writeDigits(hour, count: 2, endingAt: 13, in: text)
            text[13] = UInt8(ascii: ":")
            self.writeDigits(minute, count: 2, endingAt: 16, in: text)
            text[16] = UInt8(ascii: ":")
            self.writeDigits(second, count: 2, endingAt: 19, in: text)
            text[19] = UInt8(ascii: ".")
            self.writeDigits(millisecond, count: 3, endingAt: 23, in: text)
            text[23] = UInt8(ascii: "Z")
            bytes.append(contentsOf: UnsafeRawBufferPointer(text))
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, `z` and a space separator are accepted as RFC 3339
    /// allows.
    static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var reader = DigitReader(bytes: bytes)
        guard let year = reader.number(digits: 4), reader.skip("-"),
            let month = reader.number(digits: 2), reader.skip("-"),
            let day = reader.number(digits: 2),
            reader.skip("T") || reader.skip("t") || reader.skip(" "),
            let hour = reader.number(digits: 2), reader.skip(":"),
            let minute = reader.number(digits: 2), reader.skip(":"),
            let second = reader.number(digits: 2)
        else { return nil }
        guard (1...12).contains(month), (1...self.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second <= 60
        else { return nil }

        var nanoseconds: Int64 = 0
        if reader.skip(".") {
            var digits = 0
            while let digit = reader.number(digits: 1) {
                if digits < 9 { nanoseconds = nanoseconds * 10 + digit }
                digits += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanoseconds *= 10 }
        }

        var offsetSeconds: Int64 = 0
        if !(reader.skip("Z") || reader.skip("z")) {
            let sign: Int64
            if reader.skip("+") { sign = 1 } else if reader.skip("-") { sign = -1 } else { return nil }
            guard let offsetHours = reader.number(digits: 2), reader.skip(":"),
                let offsetMinutes = reader.number(digits: 2), offsetHours < 24, offsetMinutes < 60
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        }
        guard reader.isAtEnd else { return nil }

        let days = self.daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        let milliseconds = seconds * 1000 + nanoseconds / 1_000_000
        let belowMilliseconds = Double(nanoseconds % 1_000_000) / 1e9
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000 + belowMilliseconds)
    }

    /// Howard Hinnant's `civil_from_days`: proleptic Gregorian date of a day count since 1970-01-01. Package-wide:
    /// the sink's COPY encoder writes dates with it too.
    package static func civilDate(fromDaysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// Howard Hinnant's `days_from_civil`, the inverse of `civilDate(fromDaysSince1970:)`.
    private static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Writes `value` (not negative) as exactly `count` decimal digits, zero-padded, ending before `end`. Package-wide:
    /// the sink's COPY encoder writes its timestamps with it too.
    package static func writeDigits(_ value: Int64, count: Int, endingAt end: Int, in bytes: UnsafeMutableRawBufferPointer) {
        var value = value
        for index in stride(from: end - 1, through: end - count, by: -1) {
            bytes[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
            value /= 10
        }
    }

    /// Reads fixed-width decimal fields and single separators from a timestamp.
    private struct DigitReader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var isAtEnd: Bool { self.index == self.bytes.count }

        mutating func number(digits: Int) -> Int64? {
            guard self.index + digits <= self.bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<digits {
                let byte = self.bytes[self.index]
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                self.index += 1
            }
            return value
        }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: character) else { return false }
            self.index += 1
            return true
        }
    }
}
