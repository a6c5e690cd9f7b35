import NIOCore
import PostgresNIO

/// A `timestamptz` held as whole microseconds since 1970, so that it survives a round trip exactly.
///
/// postgres-nio's own `Date` coding truncates to the microsecond and converts through another epoch, so the `Date`
/// read back can differ in its last bits from the one written. Converting with `Date.unixMicroseconds` on the
/// way in and out instead makes stored results compare equal to the ones that were written.
struct PostgresTimestamp: Sendable, PostgresNonThrowingEncodable, PostgresArrayEncodable, PostgresDecodable {
    /// PostgreSQL counts from 2000-01-01 UTC; this is that instant in microseconds since 1970.
    private static let postgresEpoch: Int64 = 946_684_800 * 1_000_000

    var unixMicroseconds: Int64

    init(unixMicroseconds: Int64) {
        self.unixMicroseconds = unixMicroseconds
    }

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }
    static var psqlArrayType: PostgresDataType { .timestamptzArray }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger(self.unixMicroseconds - Self.postgresEpoch)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from byteBuffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        guard byteBuffer.readableBytes == 8, let microseconds = byteBuffer.readInteger(as: Int64.self) else {
            throw PostgresDecodingError.Code.failure
        }
        self.unixMicroseconds = microseconds + Self.postgresEpoch
    }
}
