import CallbackSafety
import Notifier
import Testing

@Suite struct CallbackURLTests {
    @Test func takesAURLApart() throws {
        let url = try CallbackURL(parsing: "HTTPS://Hooks.Example.:8443/a/b?c=d#frag")
        #expect(url.scheme == "https")
        #expect(url.host == "hooks.example")
        #expect(url.address == nil)
        #expect(url.port == 8443)
        #expect(url.hasExplicitPort)
        #expect(url.requestTarget == "/a/b?c=d")
    }

    @Test func defaultsPortAndPath() throws {
        let url = try CallbackURL(parsing: "http://hooks.example?x=1")
        #expect(url.port == 80)
        #expect(!url.hasExplicitPort)
        #expect(url.requestTarget == "/?x=1")
        #expect(try CallbackURL(parsing: "https://hooks.example:").port == 443)
    }

    @Test(arguments: [
        ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"), ("0x7F.0.0.0x1", "127.0.0.1"), ("0", "0.0.0.0"), ("0x", "0.0.0.0"),
        ("1.2.3.4", "1.2.3.4"), ("010.8.8.8", "8.8.8.8"), ("4294967295", "255.255.255.255"),
    ])
    func readsIPv4TheWayURLParsersDo(host: String, address: String) throws {
        let url = try CallbackURL(parsing: "https://\(host)/")
        #expect(url.address == IPAddress(address))
        #expect(url.host == address)
    }

    @Test(arguments: ["4294967296", "1.2.3.4.5", "1.256.0.0", "1.2.65536", "09.1.1.1", "0x1g.1"])
    func refusesNumbersThatAreNoIPv4(host: String) {
        #expect(throws: CallbackRefusal.self) { try CallbackURL(parsing: "https://\(host)/") }
    }

    @Test func bracketedIPv6IsCanonicalised() throws {
        let url = try CallbackURL(parsing: "https://[2001:DB8:0:0::1]:8443/")
        #expect(url.host == "2001:db8::1")
        #expect(url.address == IPAddress("2001:db8::1"))
        #expect(url.port == 8443)
    }

    @Test func theHostOfAUserinfoURLIsAfterTheAt() {
        #expect(throws: CallbackRefusal(.userinfo, "the URL carries userinfo (user:password@); the host is what follows the '@'")) {
            try CallbackURL(parsing: "https://good.example@169.254.169.254/")
        }
    }
}
