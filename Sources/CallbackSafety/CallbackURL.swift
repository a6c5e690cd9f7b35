/// A callback URL taken apart the way a WHATWG URL parser (browsers, most HTTP clients) and `inet_aton` would take
/// it, so that the host the guard checks is the host a client would connect to.
///
/// Anything the parsers disagree on is refused rather than guessed: userinfo (`https://good.com@169.254.169.254/`
/// connects to the address after the `@`), backslashes (WHATWG reads `\` as `/`, RFC 3986 does not), whitespace and
/// control characters, non-ASCII hosts (IDNA would map fullwidth digits to ASCII ones; send the `xn--` form),
/// IPv6 zone identifiers, and a host whose last label is a number but which is not an IPv4 address
/// (`1.2.3.4.5`, `foo.0x10`: WHATWG refuses those too).
public struct CallbackURL: Sendable, Hashable {
    /// `https` or `http`, lower case (other schemes are kept so the guard can name them in its refusal).
    public let scheme: String
    /// The host as checked: lower case, percent-decoded, one trailing dot removed; for an IP literal, its canonical
    /// text (no brackets). The `Host` header and TLS SNI name.
    public let host: String
    /// The host when it is an IP literal in any spelling; `nil` for a name, which must be resolved.
    public let address: IPAddress?
    /// The port given, or the scheme's default (443, 80).
    public let port: Int
    /// Whether the URL named a port explicitly.
    public let hasExplicitPort: Bool
    /// Path and query as sent in the request line (`/` when empty); the fragment is dropped.
    public let requestTarget: String

    /// The longest URL taken; longer ones are refused before parsing.
    public static let maximumLength = 2048

    /// - Throws: ``CallbackRefusal`` with code `invalidURL`, `userinfo` or `zoneID`.
    public init(parsing text: String) throws(CallbackRefusal) {
        guard text.utf8.count <= Self.maximumLength else { throw CallbackRefusal.invalidURL("longer than \(Self.maximumLength) bytes") }
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" }) else {
            throw CallbackRefusal.invalidURL("contains whitespace, a control character, a backslash or non-ASCII text")
        }
        guard let separator = text.firstRange(of: "://") else { throw CallbackRefusal.invalidURL("no scheme followed by '://'") }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard let first = scheme.first, first.isLetter,
            scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        else { throw CallbackRefusal.invalidURL("the scheme is not a scheme") }
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = rest[authorityEnd...]
        if let hash = target.firstIndex(of: "#") { target = target[..<hash] }

        guard !authority.contains("@") else {
            throw CallbackRefusal(.userinfo, "the URL carries userinfo (user:password@); the host is what follows the '@'")
        }
        let hostPart: Substring
        let portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw CallbackRefusal.invalidURL("an unclosed '[' in the host") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portPart = nil
            } else {
                guard after.first == ":" else { throw CallbackRefusal.invalidURL("text after the bracketed IPv6 address") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
            portPart = nil
        }

        let defaultPort = scheme == "https" ? 443 : scheme == "http" ? 80 : 0
        var port = defaultPort
        var explicit = false
        if let portPart, !portPart.isEmpty {
            guard portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(portPart),
                (1...65535).contains(value)
            else { throw CallbackRefusal.invalidURL("the port is not a number from 1 to 65535") }
            port = value
            explicit = value != defaultPort
        }

        self.scheme = scheme
        self.port = port
        self.hasExplicitPort = explicit
        self.requestTarget = target.isEmpty ? "/" : (target.first == "?" ? "/" + String(target) : String(target))

        if authority.hasPrefix("[") {
            guard !hostPart.contains("%") else {
                throw CallbackRefusal(.zoneID, "the IPv6 address carries a zone identifier ('%')")
            }
            guard let value = IPAddress.parseIPv6(hostPart) else { throw CallbackRefusal.invalidURL("not an IPv6 address in '[...]'") }
            self.address = .v6(value)
            self.host = IPAddress.v6(value).description
            return
        }
        var host = try Self.percentDecoded(hostPart).lowercased()
        guard !host.isEmpty else { throw CallbackRefusal.invalidURL("no host") }
        if host.hasSuffix(".") { host.removeLast() }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard let last = labels.last, !last.isEmpty, !labels.contains(where: \.isEmpty) else {
            throw CallbackRefusal.invalidURL("an empty label in the host")
        }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }) else {
            throw CallbackRefusal.invalidURL("the host has characters a host name cannot have")
        }
        if Self.looksNumeric(last) {
            guard let value = Self.parseLenientIPv4(labels) else {
                throw CallbackRefusal.invalidURL("the host ends in a number but is not an IPv4 address")
            }
            self.address = .v4(value)
            self.host = IPAddress.v4(value).description
        } else {
            guard host.utf8.count <= 253, labels.allSatisfy({ $0.utf8.count <= 63 }) else {
                throw CallbackRefusal.invalidURL("the host name is longer than DNS allows")
            }
            self.address = nil
            self.host = host
        }
    }

    /// `%XX` sequences decoded; the result must still be ASCII (a decoded non-ASCII byte would go through IDNA).
    private static func percentDecoded(_ text: Substring) throws(CallbackRefusal) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard iterator.count >= 2, let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            else { throw CallbackRefusal.invalidURL("a '%' in the host is not followed by two hex digits") }
            iterator = iterator.dropFirst(2)
            bytes.append(value)
        }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw CallbackRefusal.invalidURL("the percent-decoded host is not printable ASCII")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// WHATWG's "ends in a number": all decimal digits, or `0x`/`0X` followed by hex digits (possibly none).
    private static func looksNumeric(_ label: Substring) -> Bool {
        if label.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        let lower = label.lowercased()
        return lower.hasPrefix("0x") && lower.dropFirst(2).allSatisfy(\.isHexDigit)
    }

    /// The WHATWG IPv4 parser (also `inet_aton`'s reading): one to four parts, each decimal, octal (leading `0`) or
    /// hex (`0x`); every part but the last is one byte, the last fills the remaining bytes. So `2130706433`,
    /// `0177.0.0.1`, `0x7f.1` and `127.1` are all 127.0.0.1.
    static func parseLenientIPv4(_ labels: [Substring]) -> UInt32? {
        guard (1...4).contains(labels.count) else { return nil }
        var numbers: [UInt64] = []
        for label in labels {
            var digits = Substring(label.lowercased())
            var radix = 10
            if digits.hasPrefix("0x") {
                digits = digits.dropFirst(2)
                radix = 16
            } else if digits.count > 1, digits.hasPrefix("0") {
                digits = digits.dropFirst()
                radix = 8
            }
            if digits.isEmpty {
                numbers.append(0)
                continue
            }
            guard digits.count <= 32, let number = UInt64(digits, radix: radix) else { return nil }
            numbers.append(number)
        }
        let last = numbers.removeLast()
        guard numbers.allSatisfy({ $0 <= 255 }) else { return nil }
        let remainingBits = 8 * (4 - numbers.count)
        guard last < (UInt64(1) << remainingBits) else { return nil }
        var value: UInt64 = 0
        for (index, number) in numbers.enumerated() { value |= number << (24 - 8 * index) }
        return UInt32(value | last)
    }
}
