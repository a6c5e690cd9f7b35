import Foundation
import Synchronization

/// Makes job IDs for submitters that do not bring their own: UUIDv7 (RFC 9562) as a lowercase string.
///
/// Version 7 puts the millisecond timestamp first, so IDs sort by creation time and land near each other in the
/// results table's primary-key index. Within one process IDs are strictly increasing: the 12 bits after the
/// timestamp count IDs made in the same millisecond (RFC 9562 §6.2, method 1), borrowing the next millisecond if
/// they run out.
public enum JobID {
    /// Makes a new ID, e.g. `019ad1b2-3c4d-7e5f-8a6b-7c8d9e0f1a2b`.
    public static func make(now: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, (now.timeIntervalSince1970 * 1000).rounded(.down)))
        let (timestamp, counter) = self.clock.withLock { state in
            if milliseconds > state.milliseconds {
                // Start low in the counter's range so that bursts in one millisecond rarely borrow.
                state = (milliseconds, UInt16.random(in: 0..<0x400))
            } else if state.counter < 0xFFF {
                state.counter += 1
            } else {
                state = (state.milliseconds + 1, 0)
            }
            return state
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: timestamp >> (40 - 8 * UInt64(index)))
        }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        var random = UInt64.random(in: .min ... .max)
        for index in 8..<16 {
            bytes[index] = UInt8(truncatingIfNeeded: random)
            random >>= 8
        }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return self.format(bytes)
    }

    /// The last timestamp and counter handed out in this process.
    private static let clock = Mutex<(milliseconds: UInt64, counter: UInt16)>((0, 0))

    private static func format(_ bytes: [UInt8]) -> String {
        let hexDigits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 {
                text.append(UInt8(ascii: "-"))
            }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
