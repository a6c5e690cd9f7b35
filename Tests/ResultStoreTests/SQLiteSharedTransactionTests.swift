import Foundation
import KinferTestSupport
import Synchronization
import Testing

@testable import ResultStore

/// Group commit on the SQLite connection: concurrent writers share transactions, and each one's failure stays its own.
@Suite("SQLite shared transactions")
struct SQLiteSharedTransactionTests {
    @Test("100 concurrent writers, one of which fails after writing: 99 rows, each writer gets its own value or error")
    func concurrentWritersShareCommitsAndFailAlone() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-shared-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let gate = SQLiteConnectionGate(path: path, logger: quietLogger)
        _ = try await gate.withConnection { try await $0.query("CREATE TABLE writes (id INTEGER PRIMARY KEY)") }

        let outcomes = Outcomes()
        await withTaskGroup(of: Void.self) { group in
            for id in 0..<100 {
                group.addTask {
                    do {
                        let value = try await gate.inSharedTransaction { connection in
                            _ = try await connection.query("INSERT INTO writes (id) VALUES (?)", [.integer(id)])
                            if id == 37 { throw Refused() }
                            return "wrote \(id)"
                        }
                        outcomes.values.withLock { $0[id] = value }
                    } catch is Refused {
                        outcomes.values.withLock { $0[id] = "refused" }
                    } catch {
                        outcomes.values.withLock { $0[id] = "\(error)" }
                    }
                }
            }
        }
        let seen = outcomes.values.withLock { $0 }
        #expect(seen.count == 100)
        #expect(seen[37] == "refused")
        for id in 0..<100 where id != 37 { #expect(seen[id] == "wrote \(id)") }
        let stored = try await gate.withConnection { connection in
            try await connection.query("SELECT id FROM writes ORDER BY id").compactMap { $0.column("id")?.integer }
        }
        #expect(stored == Array(0..<100).filter { $0 != 37 })
        await gate.close()
    }
}

private struct Refused: Error {}

/// What each concurrent writer got.
private final class Outcomes: Sendable {
    let values = Mutex<[Int: String]>([:])
}
