import ConsumerKit
import Kafka

/// One condition a service needs to do its work, checked by ``ReadinessMonitor``.
///
/// A check answers `nil` when the condition holds, or a short reason (`"database unreachable"`) that `/readyz`
/// returns to whoever asks. A check must bound its own time: the monitor waits for it.
public struct ReadinessCheck: Sendable {
    /// A short name for logs, such as `broker` or `database`.
    public let name: String
    private let probe: @Sendable () async -> String?

    /// - Parameters:
    ///   - name: A short name for logs.
    ///   - probe: `nil` when ready, else the reason it is not.
    public init(_ name: String, probe: @escaping @Sendable () async -> String?) {
        self.name = name
        self.probe = probe
    }

    /// Runs the probe: `nil` when ready, else why not.
    public func check() async -> String? {
        await probe()
    }
}

extension ReadinessCheck {
    /// Ready once the group has given `member` partitions, or an empty assignment that is still in force (a group
    /// with more members than partitions leaves some idle, which is legitimate and no reason to restart them).
    public static func groupMembership(_ member: some ConsumerGroupMember) -> ReadinessCheck {
        ReadinessCheck("group") {
            member.hasJoinedGroup ? nil : "no assignment from group \(member.groupID) yet"
        }
    }

    /// Ready while the cluster answers a metadata request for `topics` within `timeout`, and has them all.
    public static func broker(_ admin: KafkaAdmin, topics: [String], timeout: Duration = .seconds(2)) -> ReadinessCheck {
        ReadinessCheck("broker") {
            do throws(KafkaError) {
                let found = Set(try await admin.describeTopics(topics, timeout: timeout).map(\.name))
                let missing = topics.filter { !found.contains($0) }
                return missing.isEmpty ? nil : "topics missing on the broker: \(missing.joined(separator: ", "))"
            } catch {
                return "broker unreachable: \(error.message)"
            }
        }
    }
}
