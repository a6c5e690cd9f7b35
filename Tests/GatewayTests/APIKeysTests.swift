@testable import Gateway
import Testing

@Suite("API keys")
struct APIKeysTests {
    @Test func acceptsOnlyKeysWhoseHashIsConfigured() throws {
        #expect(testKeys.accepts(testAPIKey))
        #expect(!testKeys.accepts(testAPIKey + "x"))
        #expect(!testKeys.accepts(""))
        #expect(testKeys.authorizes("Bearer \(testAPIKey)"))
        #expect(testKeys.authorizes("bearer \(testAPIKey)"))
        #expect(!testKeys.authorizes("Basic \(testAPIKey)"))
        #expect(!testKeys.authorizes("Bearer"))
        #expect(!testKeys.authorizes("Bearer "))
        #expect(!testKeys.authorizes(nil))
    }

    @Test func listsAreSeparatedByCommasOrWhitespaceAndHashesMayBeUpperCase() throws {
        let other = String(repeating: "ab", count: 32)
        let keys = try APIKeys(list: " \(other),\n\(testAPIKeyHash.uppercased()) ")
        #expect(keys.count == 2)
        #expect(keys.accepts(testAPIKey))
    }

    @Test func aHashThatIsNotSixtyFourHexDigitsIsRefusedWithoutRepeatingIt() {
        #expect(throws: APIKeys.InvalidHash.self) { try APIKeys(hexHashes: ["not-a-hash"]) }
        #expect(throws: APIKeys.InvalidHash.self) { try APIKeys(hexHashes: [String(repeating: "g", count: 64)]) }
        do {
            _ = try APIKeys(hexHashes: ["secret-key-pasted-by-mistake"])
        } catch {
            #expect(!error.description.contains("secret"))
        }
    }

    @Test func theFingerprintIsSHA256() {
        #expect(SHA256Hex.digest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Hex.digest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
