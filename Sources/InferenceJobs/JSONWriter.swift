import Foundation

/// Appends JSON tokens to a byte buffer; the codec's encoders write their fixed keys through it in a fixed order.
///
/// Hand-written rather than `JSONEncoder` because results are encoded at the worker's full rate: this writer makes
/// one buffer per message and no intermediate containers.
///
/// `package`: the gateway writes its answers through it too, so that the package has one escaper.
///
/// A `TextOutputStream` so that `Double` writes its digits straight into the buffer (through `_writeASCII`, the
/// standard library's hook for ASCII output): `description` made a `String`, an allocation per number over 15
/// characters, a large share of a worker's allocations (`docs/benchmarks.md`).
package struct JSONWriter: TextOutputStream {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int) {
        self.bytes.reserveCapacity(capacity)
    }

    /// Appends ASCII text as is: punctuation and pre-quoted keys such as `,"status":`.
    package mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { self.bytes.append(contentsOf: $0) }
    }

    package mutating func string(_ value: String) {
        self.bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Most strings (IDs, names, labels) need no escape: copied at once rather than byte by byte, through the
            // string's own buffer (its `utf8` view, iterated, cost more than the copy).
            guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                self.bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): self.raw("\\\"")
                case UInt8(ascii: "\\"): self.raw("\\\\")
                case 0x0A: self.raw("\\n")
                case 0x0D: self.raw("\\r")
                case 0x09: self.raw("\\t")
                case ..<0x20:
                    self.raw("\\u00")
                    self.bytes.append(Self.hexDigits[Int(byte >> 4)])
                    self.bytes.append(Self.hexDigits[Int(byte & 0x0F)])
                default: self.bytes.append(byte)
                }
            }
        }
        self.bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `value` as a string, or `null` when there is none.
    package mutating func optionalString(_ value: String?) {
        if let value { self.string(value) } else { self.raw("null") }
    }

    /// Appends the decimal digits of `value`; short integers are small strings, so this does not allocate.
    package mutating func integer(_ value: Int) {
        self.bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes the shortest text that reads back as the same `Double`; integral values below 2^53 are written without
    /// a fraction. Non-finite values, which JSON cannot express, are written as `null`.
    package mutating func number(_ value: Double) {
        if !value.isFinite {
            self.raw("null")
        } else if value == value.rounded(.towardZero), abs(value) < 9_007_199_254_740_992 {
            self.integer(Int(value))
        } else {
            value.write(to: &self)
        }
    }

    package mutating func write(_ string: String) {
        self.bytes.append(contentsOf: string.utf8)
    }

    package mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        self.bytes.append(contentsOf: buffer)
    }

    mutating func numbers(_ values: [Double]) {
        self.bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { self.bytes.append(UInt8(ascii: ",")) }
            self.number(value)
        }
        self.bytes.append(UInt8(ascii: "]"))
    }

    package mutating func timestamp(_ date: Date) {
        self.bytes.append(UInt8(ascii: "\""))
        JobTimestamp.append(date, to: &self.bytes)
        self.bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `,"key":value` for every entry whose key is not in `reserved`, in key order so that output is stable.
    mutating func extraFields(_ fields: [String: JSONValue], skipping reserved: Set<String>) {
        guard !fields.isEmpty else { return }
        for key in fields.keys.sorted() where !reserved.contains(key) {
            self.bytes.append(UInt8(ascii: ","))
            self.string(key)
            self.bytes.append(UInt8(ascii: ":"))
            self.value(fields[key]!)
        }
    }

    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: self.raw("null")
        case .bool(let flag): flag ? self.raw("true") : self.raw("false")
        case .integer(let integer): self.integer(integer)
        case .number(let number): self.number(number)
        case .string(let string): self.string(string)
        case .array(let elements):
            self.bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { self.bytes.append(UInt8(ascii: ",")) }
                self.value(element)
            }
            self.bytes.append(UInt8(ascii: "]"))
        case .object(let fields):
            self.bytes.append(UInt8(ascii: "{"))
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { self.bytes.append(UInt8(ascii: ",")) }
                self.string(key)
                self.bytes.append(UInt8(ascii: ":"))
                self.value(fields[key]!)
            }
            self.bytes.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
