import NIOCore
import PostgresNIO

/// A one-dimensional PostgreSQL array whose elements may be `NULL`, in the binary wire format.
///
/// postgres-nio encodes `[Element]` but not `[Element?]`; the batch insert needs nullable columns (an expired job
/// has no output, a completed one no error) to pass through `unnest` like the others.
struct PostgresNullableArray<Element>: PostgresNonThrowingEncodable
where Element: PostgresArrayEncodable & PostgresNonThrowingEncodable {
    var elements: [Element?]

    init(_ elements: [Element?]) {
        self.elements = elements
    }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) {
        // Header: dimensions, has-nulls flag, element type; then length and lower bound of the one dimension.
        byteBuffer.writeInteger(self.elements.isEmpty ? 0 : 1, as: Int32.self)
        byteBuffer.writeInteger(self.elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        byteBuffer.writeInteger(Element.psqlType.rawValue)
        guard !self.elements.isEmpty else { return }
        byteBuffer.writeInteger(Int32(self.elements.count))
        byteBuffer.writeInteger(1, as: Int32.self)

        for element in self.elements {
            guard let element else {
                byteBuffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = byteBuffer.writerIndex
            byteBuffer.writeInteger(0, as: Int32.self)
            let start = byteBuffer.writerIndex
            element.encode(into: &byteBuffer, context: context)
            byteBuffer.setInteger(Int32(byteBuffer.writerIndex - start), at: lengthIndex)
        }
    }
}
