/// A range of addresses written as `address/prefix` (`10.0.0.0/8`, `::1/128`), as `--callback-allow-cidr` takes
/// them and as the guard's table of refused ranges is written.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the range (host bits are zero).
    public let network: IPAddress
    /// How many leading bits are fixed: `0...32` for IPv4, `0...128` for IPv6.
    public let prefixLength: Int

    /// - Throws: ``Invalid`` unless `text` is a plain address, `/`, and a prefix length within the family's width.
    ///   Host bits set below the prefix (`10.1.2.3/8`) are refused too: such a range usually means a typo, and
    ///   silently widening an allow-list is the wrong way to forgive it.
    public init(_ text: String) throws(Invalid) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(parts[0]),
            parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), !parts[1].isEmpty, parts[1].count <= 3,
            let length = Int(parts[1]), length <= address.bitWidth
        else { throw Invalid(text: text, reason: "expected an address, '/' and a prefix length") }
        guard Self.masked(address, length) == address else {
            throw Invalid(text: text, reason: "bits are set below the prefix length")
        }
        self.network = address
        self.prefixLength = length
    }

    /// A range from literal parts; the address is masked to the prefix.
    init(_ address: IPAddress, _ prefixLength: Int) {
        self.network = Self.masked(address, prefixLength)
        self.prefixLength = prefixLength
    }

    /// Whether `address` lies in the range. An IPv4 address is never in an IPv6 range or the reverse: the guard
    /// unwraps IPv4-mapped addresses itself, explicitly.
    public func contains(_ address: IPAddress) -> Bool {
        switch (self.network, address) {
        case (.v4, .v4), (.v6, .v6): Self.masked(address, self.prefixLength) == self.network
        default: false
        }
    }

    public var description: String { "\(self.network)/\(self.prefixLength)" }

    private static func masked(_ address: IPAddress, _ length: Int) -> IPAddress {
        switch address {
        case .v4(let value):
            return .v4(length == 0 ? 0 : value & (UInt32.max << (32 - length)))
        case .v6(let value):
            return .v6(length == 0 ? 0 : value & (UInt128.max << (128 - length)))
        }
    }

    /// Text that is not a CIDR range; the description names the text (configuration, never a secret) and why.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public let text: String
        public let reason: String
        public var description: String { "not a CIDR range '\(self.text)': \(self.reason)" }
    }
}
