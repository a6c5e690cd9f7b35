import Foundation

extension Date {
    /// Microseconds since 1970-01-01 UTC, rounded to the nearest: the precision both stores keep.
    ///
    /// PostgreSQL keeps timestamps to the microsecond. Rounding here, and converting back with
    /// ``init(unixMicroseconds:)``, returns every `Date` that was itself made from a whole number of microseconds
    /// (or milliseconds) as exactly the same `Date`, so a stored result compares equal to the one that was written.
    var unixMicroseconds: Int64 {
        Int64((self.timeIntervalSince1970 * 1_000_000).rounded())
    }

    init(unixMicroseconds: Int64) {
        self.init(timeIntervalSince1970: Double(unixMicroseconds) / 1_000_000)
    }
}
