/// Where a delivery goes once the guard admitted its URL: the checked address to connect to, and the URL's own
/// host for the `Host` header and TLS (SNI and certificate name), so that no second lookup happens between the
/// check and the connection (a rebinding DNS server cannot answer the second one differently).
public struct CallbackDestination: Sendable, Hashable {
    public let url: CallbackURL
    /// The address connected to: the literal, or the first resolved address (all of them were checked).
    public let address: IPAddress

    public var scheme: String { self.url.scheme }
    public var host: String { self.url.host }
    public var port: Int { self.url.port }
}
