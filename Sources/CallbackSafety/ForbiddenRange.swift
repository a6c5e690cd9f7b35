/// A range of addresses a callback must never reach, and the name a refusal gives it.
///
/// The table follows IANA's special-purpose address registries (RFC 6890 and successors): every range that is not
/// globally reachable, or that reaches something other than the public host it seems to. Order matters only for
/// the name reported: the narrower range comes first (`255.255.255.255` is "broadcast" before "reserved").
public struct ForbiddenRange: Sendable, Hashable {
    public let range: CIDR
    /// What the range is, for the refusal's reason: "loopback", "link-local (cloud metadata)", ...
    public let name: String

    init(_ address: String, _ prefixLength: Int, _ name: String) {
        self.range = CIDR(IPAddress(address)!, prefixLength)
        self.name = name
    }

    /// IPv4 special-purpose ranges.
    public static let ipv4: [ForbiddenRange] = [
        .init("255.255.255.255", 32, "broadcast"),
        .init("0.0.0.0", 32, "unspecified"),
        .init("0.0.0.0", 8, "\"this network\""),
        .init("10.0.0.0", 8, "private (RFC 1918)"),
        .init("100.64.0.0", 10, "shared address space (CGNAT, RFC 6598)"),
        .init("127.0.0.0", 8, "loopback"),
        .init("169.254.169.254", 32, "link-local (cloud metadata service)"),
        .init("169.254.0.0", 16, "link-local"),
        .init("172.16.0.0", 12, "private (RFC 1918)"),
        .init("192.0.0.0", 24, "IETF protocol assignments"),
        .init("192.0.2.0", 24, "documentation (TEST-NET-1)"),
        .init("192.31.196.0", 24, "AS112 service"),
        .init("192.52.193.0", 24, "AMT relay"),
        .init("192.88.99.0", 24, "6to4 relay anycast"),
        .init("192.168.0.0", 16, "private (RFC 1918)"),
        .init("192.175.48.0", 24, "AS112 service"),
        .init("198.18.0.0", 15, "benchmarking"),
        .init("198.51.100.0", 24, "documentation (TEST-NET-2)"),
        .init("203.0.113.0", 24, "documentation (TEST-NET-3)"),
        .init("224.0.0.0", 4, "multicast"),
        .init("240.0.0.0", 4, "reserved"),
    ]

    /// IPv6 special-purpose ranges, except the three that embed an IPv4 address (mapped, compatible, NAT64), which
    /// ``CallbackGuard`` handles by looking at the embedded address.
    public static let ipv6: [ForbiddenRange] = [
        .init("::", 128, "unspecified"),
        .init("::1", 128, "loopback"),
        .init("64:ff9b:1::", 48, "local-use NAT64 (RFC 8215)"),
        .init("100::", 64, "discard-only"),
        .init("2001::", 32, "Teredo"),
        .init("2001:db8::", 32, "documentation"),
        .init("2001::", 23, "IETF protocol assignments"),
        .init("2002::", 16, "6to4"),
        .init("3fff::", 20, "documentation"),
        .init("5f00::", 16, "segment routing (SRv6) SIDs"),
        .init("fc00::", 7, "unique local (private)"),
        .init("fe80::", 10, "link-local"),
        .init("fec0::", 10, "site-local (deprecated)"),
        .init("ff00::", 8, "multicast"),
    ]

    /// Where IPv6 global unicast lives (RFC 4291); anything outside it and outside the ranges above is unassigned
    /// or reserved, and refused as such.
    static let ipv6GlobalUnicast = CIDR(IPAddress("2000::")!, 3)
    /// `::ffff:a.b.c.d`: an IPv4 address as IPv6 sockets write it; the connection goes to `a.b.c.d`.
    static let ipv4Mapped = CIDR(IPAddress("::ffff:0:0")!, 96)
    /// `::a.b.c.d`: deprecated (RFC 4291 section 2.5.5.1); refused outright, nothing legitimate uses it.
    static let ipv4Compatible = CIDR(IPAddress("::")!, 96)
    /// `64:ff9b::a.b.c.d`: a NAT64 gateway connects on to `a.b.c.d` (RFC 6052).
    static let nat64 = CIDR(IPAddress("64:ff9b::")!, 96)
}
