import CallbackSafety
import Notifier
import Synchronization

/// Answers from a table instead of DNS, and records every question, so that a test can assert which names were
/// looked up (none for an IP literal). Nothing here touches the network.
final class StubResolver: CallbackResolver {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "stub resolver failure" }
    }

    private let answers: [String: [IPAddress]]
    private let failing: Set<String>
    private let asked = Mutex<[String]>([])

    init(_ answers: [String: [String]] = [:], failing: Set<String> = []) {
        self.answers = answers.mapValues { $0.map { IPAddress($0)! } }
        self.failing = failing
    }

    var questions: [String] { self.asked.withLock { $0 } }

    func addresses(of host: String) async throws -> [IPAddress] {
        self.asked.withLock { $0.append(host) }
        if self.failing.contains(host) { throw Failure() }
        return self.answers[host] ?? []
    }
}
