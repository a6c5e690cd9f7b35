import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL server of a test's own: a fresh cluster in a temporary directory, listening on a free loopback
/// port, so that no test depends on a server that happens to be running.
///
/// The binaries are looked up in `$KINFER_POSTGRES_BIN`, then Debian's `/usr/lib/postgresql/<version>/bin` (newest
/// first), then `PATH`. PostgreSQL refuses to run as root, so when the tests run as root (as in CI) every
/// PostgreSQL program runs as the `postgres` user through `runuser`, and the directory belongs to that user.
///
/// The server trusts every local connection, as superuser `kinfer`, and runs with `fsync=off`: its data must never
/// outlive the test. Prefer ``withTemporaryPostgres(_:)``, which always destroys the server.
public final class TemporaryPostgres: Sendable {
    /// `postgres://kinfer@127.0.0.1:<port>/postgres?sslmode=disable`.
    public let url: String
    /// The loopback port; the same after ``stop()`` and ``start()``.
    public let port: Int
    /// The temporary directory: the cluster in `data/`, the server's log and its Unix socket.
    public let directory: String
    private let tools: PostgresTools

    private init(directory: String, port: Int, tools: PostgresTools) {
        self.directory = directory
        self.port = port
        self.tools = tools
        self.url = "postgres://kinfer@127.0.0.1:\(port)/postgres?sslmode=disable"
    }

    /// Creates a cluster and starts its server; returns once the server accepts connections.
    public static func launch() async throws -> TemporaryPostgres {
        let tools = try PostgresTools.find()
        let directory = try makeTemporaryDirectory(ownedBy: tools.user)
        let server = TemporaryPostgres(directory: directory, port: try freeLoopbackPort(), tools: tools)
        do {
            try await server.initializeCluster()
            try await server.start()
        } catch {
            try? await server.destroy()
            throw error
        }
        return server
    }

    /// Starts the server on the same data and port, waiting (up to a minute) until it accepts connections.
    public func start() async throws {
        try await self.tools.run(
            "pg_ctl",
            ["-D", self.dataDirectory, "-l", "\(self.directory)/server.log", "-w", "-t", "60", "start"],
            logTo: "\(self.directory)/pg_ctl.log"
        )
    }

    /// Stops the server the way an operator would (`pg_ctl stop -m fast`): open connections are terminated.
    public func stop() async throws {
        try await self.tools.run(
            "pg_ctl",
            ["-D", self.dataDirectory, "-w", "-t", "60", "-m", "fast", "stop"],
            logTo: "\(self.directory)/pg_ctl.log"
        )
    }

    /// Runs `sql` through `psql`, stopping at the first error: what a test needs beside the store's own schema.
    public func execute(_ sql: String) async throws {
        try await self.tools.run(
            "psql",
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c", sql],
            logTo: "\(self.directory)/psql.log"
        )
    }

    /// Stops the server if it runs, and deletes its directory.
    public func destroy() async throws {
        _ = try? await self.tools.run(
            "pg_ctl",
            ["-D", self.dataDirectory, "-w", "-t", "60", "-m", "immediate", "stop"],
            logTo: "\(self.directory)/pg_ctl.log"
        )
        try FileManager.default.removeItem(atPath: self.directory)
    }

    private var dataDirectory: String { "\(self.directory)/data" }

    private func initializeCluster() async throws {
        try await self.tools.run(
            "initdb",
            ["-D", self.dataDirectory, "-U", "kinfer", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            logTo: "\(self.directory)/initdb.log"
        )
        let settings = """

            # TemporaryPostgres: loopback only, on a port and socket of its own; durability is not needed.
            listen_addresses = '127.0.0.1'
            port = \(self.port)
            unix_socket_directories = '\(self.directory)'
            fsync = off
            full_page_writes = off
            shared_buffers = 32MB
            max_connections = 50

            """
        let configuration = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(self.dataDirectory)/postgresql.conf"))
        defer { try? configuration.close() }
        try configuration.seekToEnd()
        try configuration.write(contentsOf: Data(settings.utf8))
    }
}

/// Runs `body` with a freshly launched ``TemporaryPostgres`` and destroys it afterwards, even when `body` throws.
public func withTemporaryPostgres<Result>(_ body: (TemporaryPostgres) async throws -> Result) async throws -> Result {
    let server = try await TemporaryPostgres.launch()
    do {
        let result = try await body(server)
        try await server.destroy()
        return result
    } catch {
        try? await server.destroy()
        throw error
    }
}

/// Why ``TemporaryPostgres`` could not do what was asked.
public struct TemporaryPostgresError: Error, CustomStringConvertible {
    public let description: String
}

/// Where PostgreSQL's programs are, and which user must run them.
private struct PostgresTools: Sendable {
    var binDirectory: String
    /// `postgres` when running as root, otherwise `nil` (run as the current user).
    var user: String?

    static func find() throws -> PostgresTools {
        let user: String? = geteuid() == 0 ? "postgres" : nil
        if let user, getpwnam(user) == nil {
            throw TemporaryPostgresError(
                description: "running as root, but there is no '\(user)' user to run PostgreSQL as (PostgreSQL refuses "
                    + "to run as root); install Debian's postgresql package, which creates it"
            )
        }
        let environment = ProcessInfo.processInfo.environment
        var candidates = environment["KINFER_POSTGRES_BIN"].map { [$0] } ?? []
        let debianVersions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += debianVersions.sorted { Int($0) ?? 0 > Int($1) ?? 0 }.map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let found = candidates.first { directory in
            ["initdb", "pg_ctl", "postgres"].allSatisfy { FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)") }
        }
        guard let found else {
            throw TemporaryPostgresError(
                description: "PostgreSQL's initdb, pg_ctl and postgres were not found in $KINFER_POSTGRES_BIN, "
                    + "/usr/lib/postgresql/*/bin or PATH; on Debian: apt-get install postgresql"
            )
        }
        return PostgresTools(binDirectory: found, user: user)
    }

    /// Runs one of PostgreSQL's programs to completion, as ``user``, with its output in `logFile`.
    func run(_ tool: String, _ arguments: [String], logTo logFile: String) async throws {
        let program = "\(self.binDirectory)/\(tool)"
        let command = self.user.map { ["/usr/sbin/runuser", "-u", $0, "--", program] } ?? [program]
        let status = try await runToCompletion(command + arguments, logFile: logFile)
        guard status == 0 else {
            let output = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            throw TemporaryPostgresError(
                description: "\(tool) \(arguments.joined(separator: " ")) exited with \(status):\n"
                    + output.split(separator: "\n").suffix(20).joined(separator: "\n")
            )
        }
    }
}

/// Spawns `command` with its output appended to `logFile` and returns its exit status.
///
/// Not Foundation's `Process`: `pg_ctl start` leaves the server running in the background with the log file open,
/// and `Process` then never reports the exit of `pg_ctl` itself. `waitpid` on the one child, on a thread of its own,
/// reports it as soon as it happens.
private func runToCompletion(_ command: [String], logFile: String) async throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)

    var arguments = command.map { strdup($0) } + [nil]
    defer { arguments.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, command[0], &actions, nil, &arguments, environ)
    guard spawned == 0 else {
        throw TemporaryPostgresError(description: "could not start \(command[0]): errno \(spawned)")
    }
    let child = pid
    return await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            // WIFEXITED / WEXITSTATUS, which Swift does not import.
            let exited = status & 0x7f == 0
            continuation.resume(returning: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f))
        }
    }
}

/// Makes a fresh directory under the system's temporary directory, owned by `user` when given.
private func makeTemporaryDirectory(ownedBy user: String?) throws -> String {
    var template = Array("\(NSTemporaryDirectory())/kinfer-postgres-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
        throw TemporaryPostgresError(description: "mkdtemp failed: errno \(errno)")
    }
    let directory = String(cString: made)
    if let user, let account = getpwnam(user) {
        guard chown(directory, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
            throw TemporaryPostgresError(description: "chown \(directory) to \(user) failed: errno \(errno)")
        }
    }
    return directory
}

/// A loopback TCP port that was free a moment ago: the kernel picks it for a socket bound to port 0.
public func freeLoopbackPort() throws -> Int {
    #if canImport(Glibc)
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { throw TemporaryPostgresError(description: "socket failed: errno \(errno)") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    guard bound else { throw TemporaryPostgresError(description: "binding a loopback port failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
