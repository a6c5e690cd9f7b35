/// The SSRF guard: decides whether the notifier may deliver to a callback URL, which a job's author chose and
/// which the notifier calls from inside the network.
///
/// A pure decision in two steps, so that it is tested without DNS and without sockets:
/// 1. ``check(_:)`` parses the URL (``CallbackURL``) and checks scheme and port; an IP literal is decided there.
/// 2. ``decide(_:resolved:)`` checks every resolved address of a name: one forbidden address refuses the URL,
///    whatever the others are (a name with one public and one private address could be connected either way).
/// ``check(_:resolver:)`` runs both with a ``CallbackResolver``. The admitted ``CallbackDestination`` carries the
/// address to connect to.
///
/// Redirects are never followed: the delivery treats any 3xx as a failed attempt, so a receiver cannot bounce the
/// notifier to an address this guard never saw. See `docs/notifier.md` for the rules and why.
public struct CallbackGuard: Sendable, Hashable {
    /// Whether `http` URLs are admitted (`--allow-http`). Defaults to `false`: results are not sent in clear.
    public var allowHTTP: Bool
    /// Ports admitted besides the scheme's default (443 for https, 80 for http). Defaults to none.
    public var allowedPorts: Set<Int>
    /// Ranges admitted although a forbidden range covers them (`--callback-allow-cidr`), e.g. `127.0.0.0/8` for a
    /// test receiver, or an internal service on purpose. Defaults to none.
    public var allowedRanges: [CIDR]

    public init(allowHTTP: Bool = false, allowedPorts: Set<Int> = [], allowedRanges: [CIDR] = []) {
        self.allowHTTP = allowHTTP
        self.allowedPorts = allowedPorts
        self.allowedRanges = allowedRanges
    }

    /// What the first step found: refused, admitted (an IP literal), or a name to resolve and pass to ``decide(_:resolved:)``.
    public enum Check: Sendable, Hashable {
        case refused(CallbackRefusal)
        case admitted(CallbackDestination)
        case needsResolution(CallbackURL)
    }

    /// Parses `text` and checks scheme, port and, for an IP literal, the address.
    public func check(_ text: String) -> Check {
        let url: CallbackURL
        do throws(CallbackRefusal) { url = try CallbackURL(parsing: text) } catch { return .refused(error) }
        let schemes = self.allowHTTP ? ["https", "http"] : ["https"]
        guard schemes.contains(url.scheme) else {
            let hint = url.scheme == "http" ? " (http needs --allow-http)" : ""
            return .refused(CallbackRefusal(.scheme, "scheme '\(url.scheme)' is not allowed\(hint)"))
        }
        guard !url.hasExplicitPort || self.allowedPorts.contains(url.port) else {
            return .refused(CallbackRefusal(.port, "port \(url.port) is not allowed"))
        }
        guard let address = url.address else { return .needsResolution(url) }
        switch self.decide(url, resolved: [address]) {
        case .success(let destination): return .admitted(destination)
        case .failure(let refusal): return .refused(refusal)
        }
    }

    /// Checks every address `url`'s host resolved to; admits only if none is forbidden, and then connects to the
    /// first (the mapped IPv4 form unwrapped).
    public func decide(_ url: CallbackURL, resolved: [IPAddress]) -> Result<CallbackDestination, CallbackRefusal> {
        guard !resolved.isEmpty else {
            return .failure(CallbackRefusal(.noAddresses, "'\(url.host)' resolved to no address"))
        }
        for address in resolved {
            if let range = self.forbiddenRange(of: address) {
                let via = url.address == nil ? "'\(url.host)' resolved to " : ""
                return .failure(
                    CallbackRefusal(.forbiddenAddress, address: address, "\(via)\(address), which is \(range)")
                )
            }
        }
        return .success(CallbackDestination(url: url, address: Self.connectable(resolved[0])))
    }

    /// Both steps, with `resolver` asked only for a name (never for an IP literal, never twice).
    public func check(_ text: String, resolver: some CallbackResolver) async -> Result<CallbackDestination, CallbackRefusal> {
        switch self.check(text) {
        case .refused(let refusal): return .failure(refusal)
        case .admitted(let destination): return .success(destination)
        case .needsResolution(let url):
            let addresses: [IPAddress]
            do { addresses = try await resolver.addresses(of: url.host) } catch {
                return .failure(CallbackRefusal(.resolutionFailed, "'\(url.host)' could not be resolved: \(error)"))
            }
            return self.decide(url, resolved: addresses)
        }
    }

    /// The name of the forbidden range `address` is in, or `nil` when it may be reached: outside every forbidden
    /// range, or inside an allowed one. IPv6 forms carrying an IPv4 address are judged by that address.
    public func forbiddenRange(of address: IPAddress) -> String? {
        if self.allowedRanges.contains(where: { $0.contains(address) }) { return nil }
        switch address {
        case .v4:
            return ForbiddenRange.ipv4.first(where: { $0.range.contains(address) })?.name
        case .v6:
            if ForbiddenRange.ipv4Mapped.contains(address) || ForbiddenRange.nat64.contains(address) {
                let form = ForbiddenRange.nat64.contains(address) ? "NAT64" : "IPv4-mapped"
                return self.forbiddenRange(of: address.embeddedIPv4).map { "\($0) (\(form) \(address.embeddedIPv4))" }
            }
            if let range = ForbiddenRange.ipv6.first(where: { $0.range.contains(address) }) { return range.name }
            if ForbiddenRange.ipv4Compatible.contains(address) { return "IPv4-compatible (deprecated)" }
            if !ForbiddenRange.ipv6GlobalUnicast.contains(address) { return "reserved (outside 2000::/3)" }
            return nil
        }
    }

    /// The IPv4 address for an IPv4-mapped one (the socket would reach it anyway); any other address as it is.
    private static func connectable(_ address: IPAddress) -> IPAddress {
        ForbiddenRange.ipv4Mapped.contains(address) ? address.embeddedIPv4 : address
    }
}
