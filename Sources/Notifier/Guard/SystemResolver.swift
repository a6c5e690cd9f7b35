import CallbackSafety
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The production ``CallbackResolver``: the system's `getaddrinfo`, asked once for every A and AAAA record, on
/// NIO's blocking-I/O thread pool (never the cooperative pool, which a slow DNS server would otherwise stall).
///
/// A name that does not exist (`EAI_NONAME`, `EAI_NODATA`) resolves to no address, which the guard refuses for
/// good; a failing resolver (`EAI_AGAIN`, `EAI_FAIL`, ...) throws, which the guard reports as
/// ``CallbackRefusal/Code/resolutionFailed``, the one refusal retried later.
public struct SystemResolver: CallbackResolver {
    private let threadPool: NIOThreadPool

    public init(threadPool: NIOThreadPool = .singleton) {
        self.threadPool = threadPool
    }

    /// `getaddrinfo` failed for a reason other than "no such name".
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public let code: Int32
        public let message: String
        public var description: String { "getaddrinfo failed (\(self.code)): \(self.message)" }
    }

    public func addresses(of host: String) async throws -> [IPAddress] {
        try await self.threadPool.runIfActive { try Self.lookUp(host) }
    }

    static func lookUp(_ host: String) throws(Failure) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        defer { if let list { freeaddrinfo(list) } }
        guard status == 0 else {
            if status == EAI_NONAME || status == Self.noData { return [] }
            throw Failure(code: status, message: String(cString: gai_strerror(status)))
        }
        var addresses: [IPAddress] = []
        var entry = list
        while let current = entry {
            if let address = Self.address(current.pointee), !addresses.contains(address) { addresses.append(address) }
            entry = current.pointee.ai_next
        }
        return addresses
    }

    /// glibc's `EAI_NODATA` (the name exists, with no address), which Swift does not see: glibc declares it only
    /// under `_GNU_SOURCE`.
    private static var noData: Int32 {
        #if canImport(Glibc)
        -5
        #else
        EAI_NONAME
        #endif
    }

    private static func address(_ info: addrinfo) -> IPAddress? {
        guard let socketAddress = info.ai_addr else { return nil }
        switch info.ai_family {
        case AF_INET:
            let value = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            return .v4(UInt32(bigEndian: value))
        case AF_INET6:
            let bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
            }
            return .v6(bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
        default:
            return nil
        }
    }
}
