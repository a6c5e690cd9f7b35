import Foundation

/// The contract's timestamps: written in one form, read in the forms producers commonly write.
///
/// Written: RFC 3339 in UTC with milliseconds, e.g. `2026-11-29T01:46:51.123Z`, by hand rather than with
/// `ISO8601DateFormatter` because every result carries two or three timestamps and the worker writes results at a
/// high rate.
///
/// Read (see `parse(_:)` and `date(secondsOrMillisecondsSince1970:)`): RFC 3339 / ISO 8601 strings with `Z`, a numeric
/// offset or no zone at all (Python's `datetime.isoformat()` of a naive datetime, read as UTC), and numbers since the
/// Unix epoch in seconds (`time.time()`), milliseconds (`Date.now()`, `System.currentTimeMillis()`), microseconds or
/// nanoseconds (`time.time_ns()`), told apart by their size.
public enum JobTimestamp {
    /// Formats `date` rounded to the nearest millisecond (halves away from zero), e.g. `2026-11-29T01:46:51.123Z`.
    ///
    /// Dates before year 0000 or after 9999 are clamped to that range, the only one four year digits can express.
    public static func format(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        self.append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses a timestamp string in any form `parse(utf8:)` reads; returns `nil` for anything else.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { self.parse(utf8: $0) }
    }

    /// Milliseconds between 1970-01-01 and 0000-01-01 / 9999-12-31T23:59:59.999.
    static let earliestMilliseconds: Int64 = -62_167_219_200_000
    static let latestMilliseconds: Int64 = 253_402_300_799_999
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
    static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
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
}
