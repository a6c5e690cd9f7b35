import CallbackSafety
import Notifier
import Testing

/// Only numeric hosts, which `getaddrinfo` parses itself: these tests never send a DNS query.
@Suite struct SystemResolverTests {
    @Test func readsIPv4AndIPv6SocketAddresses() async throws {
        let resolver = SystemResolver()
        #expect(try await resolver.addresses(of: "127.0.0.1") == [IPAddress("127.0.0.1")!])
        #expect(try await resolver.addresses(of: "93.184.216.34") == [IPAddress("93.184.216.34")!])
        #expect(try await resolver.addresses(of: "::1") == [IPAddress("::1")!])
        #expect(try await resolver.addresses(of: "2001:db8::ff00:42:8329") == [IPAddress("2001:db8::ff00:42:8329")!])
    }
}
