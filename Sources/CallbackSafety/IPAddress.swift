/// An IPv4 or IPv6 address as a number, so that range checks are integer comparisons, not string matching.
///
/// Built from what a resolver returns (``init(_:)`` takes the canonical text forms only) or from a URL's host,
/// which ``CallbackURL`` parses the lenient way URL parsers and `inet_aton` do, so that the guard sees the address a
/// client would actually connect to.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt128)

    /// Parses a plain address: dotted-quad IPv4 (four decimal parts, no leading zeros) or IPv6 text (RFC 4291,
    /// with `::` and an optional dotted-quad tail), without brackets or zone. `nil` for anything else.
    ///
    /// Deliberately strict: this is for addresses from a resolver, from configuration (`--callback-allow-cidr`) and
    /// from tests. URL hosts go through ``CallbackURL``, which knows the lenient spellings.
    public init?(_ text: some StringProtocol) {
        if text.contains(":") {
            guard let value = Self.parseIPv6(String(text)[...]) else { return nil }
            self = .v6(value)
        } else {
            guard let value = Self.parseDottedQuad(String(text)[...]) else { return nil }
            self = .v4(value)
        }
    }

    /// 32 for IPv4, 128 for IPv6.
    public var bitWidth: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    /// The IPv4 address an IPv6 address carries in its last 32 bits (for the mapped, compatible and NAT64 forms).
    var embeddedIPv4: IPAddress {
        switch self {
        case .v4: self
        case .v6(let value): .v4(UInt32(truncatingIfNeeded: value))
        }
    }

    /// Dotted quad for IPv4; RFC 5952 text for IPv6 (lower case, the longest run of zero groups as `::`).
    public var description: String {
        switch self {
        case .v4(let value):
            return (0..<4).map { String((value >> (24 - 8 * UInt32($0))) & 0xFF) }.joined(separator: ".")
        case .v6(let value):
            let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * UInt128($0))) }
            var best: (start: Int, length: Int) = (-1, 0)
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else { index += 1; continue }
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > best.length { best = (index, end - index) }
                index = end
            }
            let hex = groups.map { String($0, radix: 16) }
            guard best.length >= 2 else { return hex.joined(separator: ":") }
            let head = hex[..<best.start].joined(separator: ":")
            let tail = hex[(best.start + best.length)...].joined(separator: ":")
            return head + "::" + tail
        }
    }

    /// Four decimal parts of at most three digits, each at most 255, no leading zeros (so `010` is not read as ten).
    static func parseDottedQuad(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            guard part == "0" || part.first != "0", let byte = UInt32(part), byte <= 255 else { return nil }
            value = value << 8 | byte
        }
        return value
    }

    /// RFC 4291 section 2.2 text: eight groups of one to four hex digits, one `::` for a run of zero groups, and
    /// optionally a dotted quad in place of the last two groups.
    static func parseIPv6(_ text: Substring) -> UInt128? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else {
            return nil
        }
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if piece.contains(".") {
                    guard allowIPv4Tail, index == pieces.count - 1, let v4 = parseDottedQuad(piece) else { return nil }
                    result.append(UInt16(v4 >> 16))
                    result.append(UInt16(v4 & 0xFFFF))
                } else {
                    guard (1...4).contains(piece.count), let group = UInt16(piece, radix: 16) else { return nil }
                    result.append(group)
                }
            }
            return result
        }
        let all: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowIPv4Tail: false),
                let tail = groups(halves[1], allowIPv4Tail: true),
                head.count + tail.count <= 7
            else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let only = groups(halves[0], allowIPv4Tail: true), only.count == 8 else { return nil }
            all = only
        }
        return all.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }
}
