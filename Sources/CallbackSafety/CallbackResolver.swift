/// Looks a host name up: every A and AAAA record. Injected into ``CallbackGuard``, so tests give resolutions
/// without DNS, and so the addresses checked are the addresses connected to.
public protocol CallbackResolver: Sendable {
    /// All addresses `host` resolves to, IPv4 and IPv6, in the resolver's order.
    /// - Throws: anything; the guard turns it into ``CallbackRefusal/Code/resolutionFailed``.
    func addresses(of host: String) async throws -> [IPAddress]
}
