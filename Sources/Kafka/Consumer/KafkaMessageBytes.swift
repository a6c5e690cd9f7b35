import CRdKafka
import Foundation  // strlen

/// A consumed message's key, value and headers, copied from librdkafka.
///
/// The poll thread copies each message once, so that it keeps pace with librdkafka's fetcher (on 2.0.2 a
/// consumer slower than its fetcher stalls for a second at `queued.min.messages`). Arrays and
/// ``KafkaHeader`` values are made only when the reader asks for them.
///
/// The messages of one poll share buffers of up to ``sharedBufferLimit`` bytes (a larger message has its own):
/// an allocation per message, freed by the reader's thread, cost the poll thread more than the copy (perf:
/// glibc's arena lock, taken by both threads). Holding one message keeps its buffer's neighbours too.
///
/// A message's bytes are its `Layout`, then the key's bytes, the value's bytes, then per header its name's length
/// (`Int32`), the name's UTF-8 bytes, its value's length (`Int32`, `-1` for a null value) and the value's bytes.
/// The encoding is canonical: equal contents are equal bytes, so `==` compares the bytes.
///
/// `@unchecked Sendable`: a buffer is written only while its messages are made and immutable afterwards
/// (`ManagedBuffer` itself cannot be `Sendable`).
struct KafkaMessageBytes: @unchecked Sendable {
    /// One allocation for one or more messages' bytes.
    final class Storage: ManagedBuffer<Void, UInt8> {}

    private let storage: Storage
    /// Where this message's `Layout` starts in `storage`.
    private let start: Int

    private init(storage: Storage, start: Int) {
        self.storage = storage
        self.start = start
    }

    /// Messages whose bytes fit together in this many bytes share one buffer.
    static let sharedBufferLimit = 16 * 1024

    struct Layout: Hashable {
        /// `-1` for a missing key or value (a tombstone), else the byte count.
        var keyLength: Int
        var valueLength: Int
        var headerCount: Int
        /// Bytes used after the layout: key, value and encoded headers.
        var length: Int

        /// The layout of a key and a value (`nil` for a missing one), before any header is counted.
        init(keyCount: Int?, valueCount: Int?) {
            keyLength = keyCount ?? -1
            valueLength = valueCount ?? -1
            headerCount = 0
            length = (keyCount ?? 0) + (valueCount ?? 0)
        }

        /// The bytes a message takes in a buffer, layout included, rounded up so that the next layout is aligned.
        var footprint: Int {
            (MemoryLayout<Layout>.stride + length + 7) & ~7
        }
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

    private static func makeStorage(capacity: Int) -> Storage {
        unsafeDowncast(Storage.create(minimumCapacity: capacity) { _ in () }, to: Storage.self)
    }

    /// Writes one message at `start` of `storage`, which has room for its footprint.
    private static func write(_ layout: Layout, at start: Int, in storage: Storage, _ body: (inout Writer) -> Void) -> KafkaMessageBytes {
        storage.withUnsafeMutablePointerToElements { elements in
            let base = UnsafeMutableRawPointer(elements) + start
            base.storeBytes(of: layout, as: Layout.self)
            var writer = Writer(cursor: base + MemoryLayout<Layout>.stride)
            body(&writer)
        }
        return KafkaMessageBytes(storage: storage, start: start)
    }

    private static func make(_ layout: Layout, write body: (inout Writer) -> Void) -> KafkaMessageBytes {
        write(layout, at: 0, in: makeStorage(capacity: layout.footprint), body)
    }

    /// A librdkafka message's key, value and headers, measured and then copied.
    private struct Source {
        let key: UnsafeRawBufferPointer?
        let value: UnsafeRawBufferPointer?
        let headers: OpaquePointer?
        let layout: Layout

        init(_ message: UnsafePointer<rd_kafka_message_t>) {
            let m = message.pointee
            key = m.key.map { UnsafeRawBufferPointer(start: $0, count: m.key_len) }
            value = m.payload.map { UnsafeRawBufferPointer(start: $0, count: m.len) }
            var layout = Layout(keyCount: key?.count, valueCount: value?.count)
            var list: OpaquePointer?
            if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
                while let (name, value) = Self.header(layout.headerCount, of: list) {
                    layout.headerCount += 1
                    layout.length += encodedSize(nameCount: name.count, valueCount: value?.count)
                }
                headers = list
            } else {
                headers = nil
            }
            self.layout = layout
        }

        static func header(_ index: Int, of list: OpaquePointer) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?)? {
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            let nameBytes = UnsafeRawBufferPointer(start: name, count: name.map { strlen($0) } ?? 0)
            return (nameBytes, bytes.map { UnsafeRawBufferPointer(start: $0, count: size) })
        }

        func write(into writer: inout Writer) {
            writer.put(key)
            writer.put(value)
            guard let headers else { return }
            for index in 0..<layout.headerCount {
                let (name, value) = Self.header(index, of: headers)!  // the same list, read when measured
                writer.putHeader(name: name, value: value)
            }
        }
    }

    /// Copies librdkafka messages' keys, values and headers (the caller still destroys the messages), those that fit
    /// together into shared buffers of up to ``sharedBufferLimit`` bytes.
    static func copying(_ messages: some Collection<UnsafePointer<rd_kafka_message_t>>) -> [KafkaMessageBytes] {
        let sources = messages.map(Source.init)
        var copies: [KafkaMessageBytes] = []
        copies.reserveCapacity(sources.count)
        var next = sources.startIndex
        while next < sources.endIndex {
            // The run of messages from `next` that fits one shared buffer (a large message alone gets its own).
            var end = next
            var capacity = 0
            while end < sources.endIndex, capacity == 0 || capacity + sources[end].layout.footprint <= sharedBufferLimit {
                capacity += sources[end].layout.footprint
                end += 1
            }
            let storage = makeStorage(capacity: capacity)
            var start = 0
            for source in sources[next..<end] {
                copies.append(write(source.layout, at: start, in: storage) { source.write(into: &$0) })
                start += source.layout.footprint
            }
            next = end
        }
        return copies
    }

    /// Copies Swift values, for messages made by hand (tests, tools, a changed field).
    static func make(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) -> KafkaMessageBytes {
        var layout = Layout(keyCount: key?.count, valueCount: value?.count)
        layout.headerCount = headers.count
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

    /// Calls `body` with this message's bytes (after its layout) and its layout.
    private func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer, Layout) throws(E) -> R) throws(E) -> R {
        try storage.withUnsafeMutablePointerToElements { elements throws(E) -> R in
            let base = UnsafeRawPointer(elements) + start
            let layout = base.load(as: Layout.self)
            return try body(UnsafeRawBufferPointer(start: base + MemoryLayout<Layout>.stride, count: layout.length), layout)
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
        try withBytes { bytes, layout throws(E) -> R in
            guard layout.valueLength >= 0 else { return try body(nil) }
            let start = max(layout.keyLength, 0)
            return try body(UnsafeRawBufferPointer(rebasing: bytes[start..<start + layout.valueLength]))
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
        headers.reserveCapacity(withBytes { $1.headerCount })
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
                guard name.count == wanted.count, wanted.isEmpty || memcmp(name.baseAddress!, wanted.baseAddress!, wanted.count) == 0 else {
                    return true
                }
                found = transform(value)
                return false
            }
        }
        return found
    }

    func hasSameContents(as other: KafkaMessageBytes) -> Bool {
        (storage === other.storage && start == other.start) || withBytes { mine, layout in
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
