/// A secret sent as `Authorization: Bearer KEY`; it prints as `*****`, so that no log line or error message can
/// carry it by accident.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The key itself; read only to build the header.
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "*****" }
    public var debugDescription: String { "APIKey(*****)" }
}
