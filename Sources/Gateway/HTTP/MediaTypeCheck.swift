/// Whether a `Content-Type` names JSON: `application/json` or any `application/*+json`, parameters ignored,
/// case-insensitive (RFC 9110 §8.3.1).
enum MediaTypeCheck {
    /// On the header's UTF-8 bytes: asked on every submit, where Foundation's trimming and lowercasing cost more than
    /// the rest of the check.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        var essence = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }[...]
        while let first = essence.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { essence = essence.dropFirst() }
        while let last = essence.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { essence = essence.dropLast() }
        return hasPrefix(essence, "application/") && (essence.count == "application/json".utf8.count && hasSuffix(essence, "/json") || hasSuffix(essence, "+json"))
    }

    /// Whether `bytes` start with `prefix`, ASCII letters in either case.
    private static func hasPrefix(_ bytes: Substring.UTF8View.SubSequence, _ prefix: StaticString) -> Bool {
        matches(bytes.prefix(prefix.utf8CodeUnitCount), prefix)
    }

    private static func hasSuffix(_ bytes: Substring.UTF8View.SubSequence, _ suffix: StaticString) -> Bool {
        matches(bytes.suffix(suffix.utf8CodeUnitCount), suffix)
    }

    private static func matches(_ bytes: Substring.UTF8View.SubSequence, _ expected: StaticString) -> Bool {
        guard bytes.count == expected.utf8CodeUnitCount else { return false }
        return expected.withUTF8Buffer { expected in
            zip(bytes, expected).allSatisfy { byte, lower in byte | (byte >= 0x41 && byte <= 0x5A ? 0x20 : 0) == lower }
        }
    }
}
