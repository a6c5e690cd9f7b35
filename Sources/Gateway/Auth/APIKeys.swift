import Crypto

/// The API keys the gateway accepts, held only as SHA-256 hashes, so that neither the configuration nor a memory
/// dump gives a key away.
///
/// A presented key is hashed and compared with every configured hash in constant time (the comparison does not stop
/// at the first differing byte, nor at the first matching hash), so the time taken says nothing about how close a
/// guess was.
public struct APIKeys: Sendable, Hashable {
    private let hashes: [[UInt8]]

    /// - Parameter hashes: SHA-256 digests as 64 hex digits each, upper or lower case.
    /// - Throws: ``InvalidHash`` for anything that is not 64 hex digits.
    public init(hexHashes hashes: [String]) throws(InvalidHash) {
        var decoded: [[UInt8]] = []
        for hash in hashes {
            guard let bytes = Self.bytes(ofHex: hash) else { throw InvalidHash(value: hash) }
            decoded.append(bytes)
        }
        self.hashes = decoded
    }

    /// Parses a list as `KINFER_GATEWAY_API_KEY_HASHES` holds it: separated by commas and/or whitespace.
    public init(list: String) throws(InvalidHash) {
        try self.init(hexHashes: list.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init))
    }

    /// How many keys are configured.
    public var count: Int { self.hashes.count }

    /// Whether `key`'s SHA-256 is one of the configured hashes.
    public func accepts(_ key: some StringProtocol) -> Bool {
        let digest = Array(SHA256.hash(data: Array(key.utf8)))
        var found: UInt8 = 0
        for hash in self.hashes {
            var difference: UInt8 = 0
            for (left, right) in zip(hash, digest) { difference |= left ^ right }
            found |= difference == 0 ? 1 : 0
        }
        return found == 1
    }

    /// Whether an `Authorization` header value carries an accepted key (`Bearer <key>`, scheme case-insensitive).
    public func authorizes(_ header: String?) -> Bool {
        guard let header, let space = header.firstIndex(of: " ") else { return false }
        guard header[..<space].lowercased() == "bearer" else { return false }
        let key = header[header.index(after: space)...].drop(while: { $0 == " " })
        return !key.isEmpty && self.accepts(key)
    }

    /// A configured hash that is not 64 hex digits. Its description does not repeat the value, which might be a
    /// key pasted by mistake.
    public struct InvalidHash: Error, CustomStringConvertible {
        let value: String
        public var description: String {
            "an API key hash must be a SHA-256 digest as 64 hex digits (got \(self.value.count) characters)"
        }
    }

    private static func bytes(ofHex text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
