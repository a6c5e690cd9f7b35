import CallbackSafety
import Notifier
import Testing

@Suite struct CIDRTests {
    @Test func parsesIPv4AndIPv6Ranges() throws {
        let private10 = try CIDR("10.0.0.0/8")
        #expect(private10.prefixLength == 8)
        #expect(private10.description == "10.0.0.0/8")
        #expect(private10.contains(IPAddress("10.255.1.2")!))
        #expect(!private10.contains(IPAddress("11.0.0.0")!))

        let loopback6 = try CIDR("::1/128")
        #expect(loopback6.contains(IPAddress("::1")!))
        #expect(!loopback6.contains(IPAddress("::2")!))

        let ula = try CIDR("fc00::/7")
        #expect(ula.contains(IPAddress("fdff:ffff::1")!))
        #expect(!ula.contains(IPAddress("fe00::1")!))
    }

    @Test func edgesOfAPrefix() throws {
        let cgnat = try CIDR("100.64.0.0/10")
        #expect(cgnat.contains(IPAddress("100.64.0.0")!))
        #expect(cgnat.contains(IPAddress("100.127.255.255")!))
        #expect(!cgnat.contains(IPAddress("100.128.0.0")!))
        #expect(!cgnat.contains(IPAddress("100.63.255.255")!))
    }

    @Test func zeroAndFullPrefixes() throws {
        #expect(try CIDR("0.0.0.0/0").contains(IPAddress("203.0.113.7")!))
        #expect(try CIDR("::/0").contains(IPAddress("2001:db8::1")!))
        #expect(try CIDR("127.0.0.1/32").contains(IPAddress("127.0.0.1")!))
        #expect(try !CIDR("127.0.0.1/32").contains(IPAddress("127.0.0.2")!))
    }

    @Test func familiesNeverMix() throws {
        #expect(try !CIDR("0.0.0.0/0").contains(IPAddress("::ffff:127.0.0.1")!))
        #expect(try !CIDR("::/0").contains(IPAddress("127.0.0.1")!))
    }

    @Test(arguments: [
        "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8/8", "010.0.0.0/8",
        "10.1.2.3/8", "fe80::1/10", "localhost/8", "10.0.0.0/ 8", "",
    ])
    func refusesWhatIsNotARange(text: String) {
        #expect(throws: CIDR.Invalid.self) { try CIDR(text) }
    }
}

@Suite struct IPAddressTests {
    @Test func canonicalText() {
        #expect(IPAddress("2001:0db8:0000:0000:0000:0000:0000:0001")!.description == "2001:db8::1")
        #expect(IPAddress("::ffff:127.0.0.1")!.description == "::ffff:7f00:1")
        #expect(IPAddress("1:0:0:2:0:0:0:3")!.description == "1:0:0:2::3")
        #expect(IPAddress("::")!.description == "::")
        #expect(IPAddress("0.0.0.0")!.description == "0.0.0.0")
    }

    @Test(arguments: ["1.2.3", "1.2.3.256", "01.2.3.4", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "12345::", "g::1", "::1.2.3"])
    func refusesNonCanonicalText(text: String) {
        #expect(IPAddress(text) == nil)
    }
}
