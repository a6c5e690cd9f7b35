/// Why the guard will not deliver to a callback URL. Final for every code but ``Code/resolutionFailed``: the same
/// URL would be refused again, so the result goes to the callbacks DLQ at once with ``description`` as the reason.
public struct CallbackRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal; new codes can be added without breaking the API.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case invalidURL = "invalid URL"
            case scheme
            case port
            case userinfo
            case zoneID = "zone ID"
            case forbiddenAddress = "forbidden address"
            case noAddresses = "no addresses"
            case resolutionFailed = "resolution failed"
        }
        fileprivate let base: Base

        /// The text is not a URL the guard can read unambiguously.
        public static let invalidURL = Code(base: .invalidURL)
        /// Not `https` (nor `http` when allowed).
        public static let scheme = Code(base: .scheme)
        /// A port other than the scheme's default and those allowed.
        public static let port = Code(base: .port)
        /// `user:password@` in the URL.
        public static let userinfo = Code(base: .userinfo)
        /// An IPv6 literal with a zone (`fe80::1%eth0`), which names an interface of the notifier's own host.
        public static let zoneID = Code(base: .zoneID)
        /// An address, literal or resolved, in a forbidden range and outside every allowed CIDR.
        public static let forbiddenAddress = Code(base: .forbiddenAddress)
        /// The name resolved to no address at all.
        public static let noAddresses = Code(base: .noAddresses)
        /// The resolver failed (timeout, server failure): the only code worth retrying later.
        public static let resolutionFailed = Code(base: .resolutionFailed)

        public var description: String { self.base.rawValue }
    }

    public let code: Code
    /// The address that was refused, for ``Code/forbiddenAddress``.
    public let address: IPAddress?
    /// What was wrong, in words; never contains more of the URL than its host.
    public let reason: String

    public init(_ code: Code, address: IPAddress? = nil, _ reason: String) {
        self.code = code
        self.address = address
        self.reason = reason
    }

    static func invalidURL(_ reason: String) -> CallbackRefusal { CallbackRefusal(.invalidURL, reason) }

    /// Whether the same URL would be refused again (everything but a failed resolution).
    public var isFinal: Bool { self.code != .resolutionFailed }

    public var description: String { "callback URL refused (\(self.code)): \(self.reason)" }
}
