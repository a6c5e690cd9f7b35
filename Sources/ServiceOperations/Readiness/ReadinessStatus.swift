/// The outcome of the latest round of readiness checks.
public struct ReadinessStatus: Sendable, Hashable {
    /// Why the service is not ready, one reason per failing check; empty when ready.
    public var reasons: [String]

    public init(reasons: [String]) {
        self.reasons = reasons
    }

    public var isReady: Bool { reasons.isEmpty }

    /// Before the first round has finished.
    public static let starting = ReadinessStatus(reasons: ["starting"])
}
