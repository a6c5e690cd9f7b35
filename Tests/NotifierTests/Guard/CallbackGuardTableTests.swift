import CallbackSafety
import Notifier
import Testing

/// The guard's table: each URL with the resolution a stub resolver gives and the guard's documented decision.
/// "Public" addresses are data only (93.184.216.34 and 2606:2800:220:1:248:1893:25c8:1946, example.com's old
/// addresses); nothing is connected to, nothing is resolved through DNS.
struct GuardCase: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable {
        /// Admitted, connecting to this address.
        case allowed(String)
        /// Refused with this code; for a forbidden address, the range's name contains the text given.
        case refused(CallbackRefusal.Code, String = "")
    }

    let why: String
    let url: String
    let resolves: [String: [String]]
    let config: CallbackGuard
    let expected: Expected

    init(
        _ why: String, _ url: String, resolves: [String: [String]] = [:], config: CallbackGuard = CallbackGuard(),
        _ expected: Expected
    ) {
        self.why = why
        self.url = url
        self.resolves = resolves
        self.config = config
        self.expected = expected
    }

    var testDescription: String { "\(self.why): \(self.url)" }
}

private let publicV4 = "93.184.216.34"
private let publicV6 = "2606:2800:220:1:248:1893:25c8:1946"
private let loopbackReceiver = CallbackGuard(allowHTTP: true, allowedPorts: [8080], allowedRanges: [try! CIDR("127.0.0.0/8")])

let guardTable: [GuardCase] = [
    // Admitted.
    .init("a public IPv4 literal", "https://\(publicV4)/hook", .allowed(publicV4)),
    .init("a name resolving to a public address", "https://hooks.example/cb?x=1", resolves: ["hooks.example": [publicV4]], .allowed(publicV4)),
    .init("a name resolving to public IPv4 and IPv6", "https://dual.example/", resolves: ["dual.example": [publicV6, publicV4]], .allowed(publicV6)),
    .init("a public IPv6 literal", "https://[\(publicV6)]/", .allowed(publicV6)),
    .init("the default port written out", "https://\(publicV4):443/", .allowed(publicV4)),
    .init("just below CGNAT's /10", "https://100.63.255.255/", .allowed("100.63.255.255")),
    .init("just above 172.16/12", "https://172.32.0.1/", .allowed("172.32.0.1")),
    .init("IPv4-mapped public connects to the IPv4 address", "https://[::ffff:\(publicV4)]/", .allowed(publicV4)),
    .init("NAT64 of a public address", "https://[64:ff9b::5db8:d822]/", .allowed("64:ff9b::5db8:d822")),
    .init("upper case scheme and host", "HTTPS://HOOKS.EXAMPLE/", resolves: ["hooks.example": [publicV4]], .allowed(publicV4)),
    // Loopback, in every spelling a URL parser or inet_aton accepts.
    .init("loopback", "https://127.0.0.1/", .refused(.forbiddenAddress, "loopback")),
    .init("decimal IPv4", "https://2130706433/", .refused(.forbiddenAddress, "loopback")),
    .init("octal IPv4", "https://0177.0.0.1/", .refused(.forbiddenAddress, "loopback")),
    .init("one octal number", "https://017700000001/", .refused(.forbiddenAddress, "loopback")),
    .init("hex and short form", "https://0x7f.1/", .refused(.forbiddenAddress, "loopback")),
    .init("one hex number", "https://0X7F000001/", .refused(.forbiddenAddress, "loopback")),
    .init("short form", "https://127.1/", .refused(.forbiddenAddress, "loopback")),
    .init("trailing dot", "https://127.0.0.1./", .refused(.forbiddenAddress, "loopback")),
    .init("percent-encoded host", "https://%31%32%37.0.0.1/", .refused(.forbiddenAddress, "loopback")),
    .init("a name resolving to loopback", "https://LocalHost./", resolves: ["localhost": ["127.0.0.1", "::1"]], .refused(.forbiddenAddress, "loopback")),
    .init("IPv6 loopback", "https://[::1]/", .refused(.forbiddenAddress, "loopback")),
    .init("IPv6 loopback written out", "https://[0:0:0:0:0:0:0:1]/", .refused(.forbiddenAddress, "loopback")),
    .init("IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/", .refused(.forbiddenAddress, "IPv4-mapped")),
    .init("IPv4-mapped loopback in hex", "https://[::ffff:7f00:1]/", .refused(.forbiddenAddress, "loopback")),
    .init("IPv4-compatible loopback", "https://[::127.0.0.1]/", .refused(.forbiddenAddress, "IPv4-compatible")),
    // Private, link-local, CGNAT.
    .init("RFC 1918 10/8", "https://10.0.0.1/", .refused(.forbiddenAddress, "private")),
    .init("RFC 1918 172.16/12", "https://172.31.255.255/", .refused(.forbiddenAddress, "private")),
    .init("RFC 1918 192.168/16", "https://192.168.1.1/", .refused(.forbiddenAddress, "private")),
    .init("unique local fc00::/7", "https://[fd12:3456::1]/", .refused(.forbiddenAddress, "unique local")),
    .init("cloud metadata", "https://169.254.169.254/latest/meta-data/", .refused(.forbiddenAddress, "cloud metadata")),
    .init("cloud metadata in decimal", "https://2852039166/", .refused(.forbiddenAddress, "cloud metadata")),
    .init("link-local", "https://169.254.1.1/", .refused(.forbiddenAddress, "link-local")),
    .init("IPv6 link-local", "https://[fe80::1]/", .refused(.forbiddenAddress, "link-local")),
    .init("IPv6 zone id", "https://[fe80::1%25eth0]/", .refused(.zoneID)),
    .init("IPv4-mapped metadata", "https://[::ffff:a9fe:a9fe]/", .refused(.forbiddenAddress, "cloud metadata")),
    .init("NAT64 of metadata", "https://[64:ff9b::169.254.169.254]/", .refused(.forbiddenAddress, "NAT64")),
    .init("local-use NAT64", "https://[64:ff9b:1::a]/", .refused(.forbiddenAddress, "local-use NAT64")),
    .init("CGNAT", "https://100.64.0.1/", .refused(.forbiddenAddress, "CGNAT")),
    .init("CGNAT's last address", "https://100.127.255.255/", .refused(.forbiddenAddress, "CGNAT")),
    // Multicast, unspecified, broadcast, this network, reserved, documentation.
    .init("multicast", "https://224.0.0.1/", .refused(.forbiddenAddress, "multicast")),
    .init("IPv6 multicast", "https://[ff02::1]/", .refused(.forbiddenAddress, "multicast")),
    .init("unspecified", "https://0.0.0.0/", .refused(.forbiddenAddress, "unspecified")),
    .init("unspecified as one number", "https://0/", .refused(.forbiddenAddress, "unspecified")),
    .init("IPv6 unspecified", "https://[::]/", .refused(.forbiddenAddress, "unspecified")),
    .init("broadcast", "https://255.255.255.255/", .refused(.forbiddenAddress, "broadcast")),
    .init("this network", "https://0.1.2.3/", .refused(.forbiddenAddress, "this network")),
    .init("reserved 240/4", "https://240.0.0.1/", .refused(.forbiddenAddress, "reserved")),
    .init("benchmarking", "https://198.18.0.1/", .refused(.forbiddenAddress, "benchmarking")),
    .init("TEST-NET-1", "https://192.0.2.10/", .refused(.forbiddenAddress, "documentation")),
    .init("TEST-NET-2", "https://198.51.100.7/", .refused(.forbiddenAddress, "documentation")),
    .init("TEST-NET-3", "https://203.0.113.9/", .refused(.forbiddenAddress, "documentation")),
    .init("IPv6 documentation", "https://[2001:db8::1]/", .refused(.forbiddenAddress, "documentation")),
    .init("6to4", "https://[2002:7f00:1::]/", .refused(.forbiddenAddress, "6to4")),
    .init("Teredo", "https://[2001:0:4136:e378::1]/", .refused(.forbiddenAddress, "Teredo")),
    .init("outside IPv6 global unicast", "https://[4000::1]/", .refused(.forbiddenAddress, "reserved")),
    // Any forbidden resolved address refuses the name.
    .init("one public and one private address", "https://mixed.example/", resolves: ["mixed.example": [publicV4, "10.0.0.5"]], .refused(.forbiddenAddress, "private")),
    .init("public IPv6 and link-local IPv6", "https://mixed6.example/", resolves: ["mixed6.example": [publicV6, "fe80::1"]], .refused(.forbiddenAddress, "link-local")),
    .init("resolving to mapped metadata", "https://sneaky.example/", resolves: ["sneaky.example": ["::ffff:169.254.169.254"]], .refused(.forbiddenAddress, "cloud metadata")),
    .init("resolving to nothing", "https://void.example/", .refused(.noAddresses)),
    // Scheme, port, and URL shapes that mislead.
    .init("http without --allow-http", "http://\(publicV4)/", .refused(.scheme, "allow-http")),
    .init("http with --allow-http", "http://\(publicV4)/", config: CallbackGuard(allowHTTP: true), .allowed(publicV4)),
    .init("another scheme", "ftp://\(publicV4)/", config: CallbackGuard(allowHTTP: true), .refused(.scheme)),
    .init("a non-default port", "https://\(publicV4):8443/", .refused(.port)),
    .init("an allowed port", "https://\(publicV4):8443/", config: CallbackGuard(allowedPorts: [8443]), .allowed(publicV4)),
    .init("userinfo hiding metadata", "https://good.example@169.254.169.254/", .refused(.userinfo)),
    .init("userinfo with a password", "https://user:pass@\(publicV4)/", .refused(.userinfo)),
    .init("a backslash (WHATWG reads it as '/')", "https://evil.example\\@good.example/", .refused(.invalidURL)),
    .init("ends in a number but is no IPv4", "https://1.2.3.4.5/", .refused(.invalidURL)),
    .init("hex label at the end", "https://foo.0x10/", .refused(.invalidURL)),
    .init("a part above 255", "https://256.0.0.1/", .refused(.invalidURL)),
    .init("a space in the URL", "https://hooks.example /", .refused(.invalidURL)),
    .init("no scheme", "hooks.example/cb", .refused(.invalidURL)),
    .init("port out of range", "https://\(publicV4):65536/", .refused(.invalidURL)),
    .init("an '@' after the authority is path, not userinfo", "https://\(publicV4)/a@127.0.0.1", .allowed(publicV4)),
    .init("an '@' in the fragment", "https://\(publicV4)#@127.0.0.1/", .allowed(publicV4)),
    .init("an '@' in the query", "https://\(publicV4)?@127.0.0.1/", .allowed(publicV4)),
    .init("a percent-encoded '@' in the host", "https://good.example%40127.0.0.1/", .refused(.invalidURL)),
    .init("three slashes (WHATWG would skip them)", "https:///127.0.0.1/", .refused(.invalidURL)),
    .init("no slashes (WHATWG would accept it)", "https:127.0.0.1", .refused(.invalidURL)),
    .init("a newline (WHATWG would strip it)", "https://127.0.0.1\n.example/", .refused(.invalidURL)),
    .init("fullwidth digits (IDNA would map them)", "https://\u{FF11}\u{FF12}\u{FF17}.0.0.1/", .refused(.invalidURL)),
    .init("two trailing dots", "https://127.0.0.1../", .refused(.invalidURL)),
    // --callback-allow-cidr admits a test receiver on loopback, and only the range it names.
    .init("allow-cidr admits a loopback receiver", "http://127.0.0.1:8080/hook", config: loopbackReceiver, .allowed("127.0.0.1")),
    .init("allow-cidr admits a name resolving there", "http://receiver.test:8080/", resolves: ["receiver.test": ["127.0.0.3"]], config: loopbackReceiver, .allowed("127.0.0.3")),
    .init("allow-cidr admits the mapped form too", "http://[::ffff:127.0.0.1]:8080/", config: loopbackReceiver, .allowed("127.0.0.1")),
    .init(
        "127.0.0.2 outside an admitted 127.0.0.1/32", "http://127.0.0.2:8080/",
        config: CallbackGuard(allowHTTP: true, allowedPorts: [8080], allowedRanges: [try! CIDR("127.0.0.1/32")]),
        .refused(.forbiddenAddress, "loopback")
    ),
    .init("allow-cidr does not admit other ranges", "http://10.0.0.1:8080/", config: loopbackReceiver, .refused(.forbiddenAddress, "private")),
]

@Suite struct CallbackGuardTableTests {
    @Test func theTableIsLargeEnough() {
        #expect(guardTable.count >= 30)
    }

    @Test(arguments: guardTable)
    func decision(_ entry: GuardCase) async {
        let resolver = StubResolver(entry.resolves)
        let result = await entry.config.check(entry.url, resolver: resolver)
        switch (entry.expected, result) {
        case (.allowed(let address), .success(let destination)):
            #expect(destination.address == IPAddress(address)!)
        case (.refused(let code, let text), .failure(let refusal)):
            #expect(refusal.code == code)
            #expect(text.isEmpty || refusal.description.contains(text), "\(refusal)")
            #expect(refusal.isFinal)
        default:
            Issue.record("expected \(entry.expected), got \(result)")
        }
        // An IP literal is never looked up; a name is looked up once, by its normalised host.
        if let url = try? CallbackURL(parsing: entry.url), url.address == nil, case .needsResolution = entry.config.check(entry.url) {
            #expect(resolver.questions == [url.host])
        } else {
            #expect(resolver.questions.isEmpty)
        }
    }

    /// Documented decision: redirects are never followed. The delivery treats any 3xx as a failed attempt (see
    /// `DeliveryOutcome`), so a public receiver answering `302 Location: http://169.254.169.254/` reaches nothing;
    /// had it been followed, the guard would refuse the target anyway.
    @Test func aRedirectToAPrivateAddressIsNeverReached() async throws {
        let resolver = StubResolver(["redirector.example": [publicV4]])
        let guardrail = CallbackGuard(allowHTTP: true)
        #expect(try await guardrail.check("https://redirector.example/", resolver: resolver).get().address == IPAddress(publicV4))
        #expect(throws: CallbackRefusal.self) {
            try guardrail.decide(CallbackURL(parsing: "http://169.254.169.254/latest/meta-data/"), resolved: [IPAddress("169.254.169.254")!]).get()
        }
    }

    @Test func aFailedResolutionIsTheOnlyRefusalWorthRetrying() async {
        let resolver = StubResolver(failing: ["flaky.example"])
        let result = await CallbackGuard().check("https://flaky.example/", resolver: resolver)
        guard case .failure(let refusal) = result else { Issue.record("admitted"); return }
        #expect(refusal.code == .resolutionFailed)
        #expect(!refusal.isFinal)
    }
}
