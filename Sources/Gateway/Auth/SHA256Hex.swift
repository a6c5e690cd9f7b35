import Crypto

/// SHA-256 as lowercase hex, the form API key hashes are configured in and body fingerprints are stored in.
enum SHA256Hex {
    static func digest(_ bytes: some Sequence<UInt8>) -> String {
        self.hex(Array(SHA256.hash(data: Array(bytes))))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
