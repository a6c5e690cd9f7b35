import CRdKafka
import Foundation  // strlen

/// A consumed message's key, value and headers, copied from librdkafka into one allocation.
///
/// The poll thread copies each message once, so that it keeps pace with librdkafka's fetcher (on 2.0.2 a
/// consumer slower than its fetcher stalls for a second at `queued.min.messages`). Arrays and
/// ``KafkaHeader`` values are made only when the reader asks for them.
///
/// The elements hold the key's bytes, the value's bytes, then per header its name's length (`Int32`), the
/// name's UTF-8 bytes, its value's length (`Int32`, `-1` for a null value) and the value's bytes. The
/// encoding is canonical: equal contents are equal bytes, so `==` compares the bytes.
///
/// `@unchecked Sendable`: the storage is written only while it is made and immutable afterwards
/// (`ManagedBuffer` itself cannot be `Sendable`).
struct KafkaMessageBytes: @unchecked Sendable {
    /// One allocation: the layout as the header, the bytes as the tail.
    final class Storage: ManagedBuffer<Layout, UInt8> {}

    private let storage: Storage

    private init(storage: Storage) {
        self.storage = storage
    }

    struct Layout: Hashable {
        /// `-1` for a missing key or value (a tombstone), else the byte count.
        var keyLength: Int
        var valueLength: Int
        var headerCount: Int
        /// Bytes used in all: key, value and encoded headers.
        var length: Int
    }

    /// Appends to the elements while a buffer is made.
    struct Writer {
        var cursor: UnsafeMutableRawPointer

        mutating func put(_ bytes: UnsafeRawBufferPointer?) {
            guard let bytes, let base = bytes.baseAddress, !bytes.isEmpty else { return }
            cursor.copyMemory(from: base, byteCount: bytes.count)
            cursor += bytes.count
        }

        mutating func put(_ count: Int32) {
            cursor.storeBytes(of: count, as: Int32.self)
            cursor += 4
        }

        mutating func putHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?) {
            put(Int32(truncatingIfNeeded: name.count))
            put(name)
            put(value.map { Int32(truncatingIfNeeded: $0.count) } ?? -1)
            put(value)
        }
    }

    /// The bytes one header takes in the encoding.
    static func encodedSize(nameCount: Int, valueCount: Int?) -> Int {
        8 + nameCount + (valueCount ?? 0)
    }

    private static func make(_ layout: Layout, write: (inout Writer) -> Void) -> KafkaMessageBytes {
        let storage = unsafeDowncast(Storage.create(minimumCapacity: layout.length) { _ in layout }, to: Storage.self)
        storage.withUnsafeMutablePointerToElements { start in
            var writer = Writer(cursor: UnsafeMutableRawPointer(start))
            write(&writer)
        }
        return KafkaMessageBytes(storage: storage)
    }

    /// Copies a librdkafka message's key, value and headers.
    static func make(copying message: UnsafePointer<rd_kafka_message_t>) -> KafkaMessageBytes {
        let m = message.pointee
        let key = m.key.map { UnsafeRawBufferPointer(start: $0, count: m.key_len) }
        let value = m.payload.map { UnsafeRawBufferPointer(start: $0, count: m.len) }
        var layout = Layout(keyLength: key?.count ?? -1, valueLength: value?.count ?? -1, headerCount: 0, length: (key?.count ?? 0) + (value?.count ?? 0))
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else {
            return make(layout) { writer in
                writer.put(key)
                writer.put(value)
            }
        }
        func header(_ index: Int) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?)? {
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            let nameBytes = UnsafeRawBufferPointer(start: name, count: name.map { strlen($0) } ?? 0)
            return (nameBytes, bytes.map { UnsafeRawBufferPointer(start: $0, count: size) })
        }
        while let (name, value) = header(layout.headerCount) {
            layout.headerCount += 1
            layout.length += encodedSize(nameCount: name.count, valueCount: value?.count)
        }
        return make(layout) { writer in
            writer.put(key)
            writer.put(value)
            for index in 0..<layout.headerCount {
                let (name, value) = header(index)!  // the same list, read just above
                writer.putHeader(name: name, value: value)
            }
        }
    }

    /// Copies Swift values, for messages made by hand (tests, tools, a changed field).
    static func make(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) -> KafkaMessageBytes {
        var layout = Layout(keyLength: key?.count ?? -1, valueLength: value?.count ?? -1, headerCount: headers.count, length: (key?.count ?? 0) + (value?.count ?? 0))
        for header in headers {
            layout.length += encodedSize(nameCount: header.key.utf8.count, valueCount: header.value?.count)
        }
        return make(layout) { writer in
            key?.withUnsafeBytes { writer.put($0) }
            value?.withUnsafeBytes { writer.put($0) }
            for header in headers {
                var name = header.key
                name.withUTF8 { name in
                    if let value = header.value {
                        value.withUnsafeBytes { writer.putHeader(name: UnsafeRawBufferPointer(name), value: $0) }
                    } else {
                        writer.putHeader(name: UnsafeRawBufferPointer(name), value: nil)
                    }
                }
            }
        }
    }

    // MARK: Reading

    private func withBytes<R>(_ body: (UnsafeRawBufferPointer, Layout) -> R) -> R {
        storage.withUnsafeMutablePointers { layout, start in
            body(UnsafeRawBufferPointer(start: start, count: layout.pointee.length), layout.pointee)
        }
    }

    var key: [UInt8]? {
        withBytes { bytes, layout in
            layout.keyLength < 0 ? nil : Array(bytes[0..<layout.keyLength])
        }
    }

    var value: [UInt8]? {
        withBytes { bytes, layout in
            guard layout.valueLength >= 0 else { return nil }
            let start = max(layout.keyLength, 0)
            return Array(bytes[start..<start + layout.valueLength])
        }
    }

    /// Calls `body` with the value's bytes where they lie (`nil` for a tombstone), without making an array.
    func withValue<R, E: Error>(_ body: (UnsafeRawBufferPointer?) throws(E) -> R) throws(E) -> R {
        try storage.withUnsafeMutablePointers { layout, start throws(E) -> R in
            guard layout.pointee.valueLength >= 0 else { return try body(nil) }
            let keyLength = max(layout.pointee.keyLength, 0)
            return try body(UnsafeRawBufferPointer(start: UnsafeRawPointer(start) + keyLength, count: layout.pointee.valueLength))
        }
    }

    /// Calls `body` with each header's name and value in order until it returns `false`.
    private func forEachHeader(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) -> Bool) {
        withBytes { bytes, layout in
            var offset = max(layout.keyLength, 0) + max(layout.valueLength, 0)
            for _ in 0..<layout.headerCount {
                let nameCount = Int(bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self))
                let name = UnsafeRawBufferPointer(rebasing: bytes[offset + 4..<offset + 4 + nameCount])
                offset += 4 + nameCount
                let valueCount = Int(bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self))
                offset += 4
                let value = valueCount < 0 ? nil : UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + valueCount])
                offset += max(valueCount, 0)
                guard body(name, value) else { return }
            }
        }
    }

    var headers: [KafkaHeader] {
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(storage.header.headerCount)
        forEachHeader { name, value in
            headers.append(KafkaHeader(key: String(decoding: name, as: UTF8.self), value: value.map { Array($0) }))
            return true
        }
        return headers
    }

    /// The first header named `key`, as `headers.first { $0.key == key }` finds it, without making the others.
    func header(named key: String) -> KafkaHeader? {
        firstHeaderValue(named: key) { value in KafkaHeader(key: key, value: value.map { Array($0) }) }
    }

    /// `transform` of the first header named `key`'s value bytes (`nil` for a null value); `nil` when there is none.
    func firstHeaderValue<R>(named key: String, _ transform: (UnsafeRawBufferPointer?) -> R) -> R? {
        var found: R?
        var wantedName = key
        wantedName.withUTF8 { wanted in
            forEachHeader { name, value in
                guard name.elementsEqual(UnsafeRawBufferPointer(wanted)) else { return true }
                found = transform(value)
                return false
            }
        }
        return found
    }

    func hasSameContents(as other: KafkaMessageBytes) -> Bool {
        storage === other.storage || withBytes { mine, layout in
            other.withBytes { theirs, otherLayout in
                layout == otherLayout && mine.elementsEqual(theirs)
            }
        }
    }

    func hash(into hasher: inout Hasher) {
        withBytes { bytes, layout in
            hasher.combine(layout)
            hasher.combine(bytes: bytes)
        }
    }
}
