import Foundation
import KinferTestSupport

/// A `kinfer broker` child process and its bootstrap servers (the first line it prints).
struct RunningBroker {
    let process: ChildProcess
    let bootstrapServers: String

    static func start(partitions: Int = 4) async throws -> RunningBroker {
        let process = try KinferBinary.launch(["broker", "--brokers", "3", "--partitions", "\(partitions)"])
        try await process.waitForOutput(on: .standardOutput, timeout: .seconds(30), "a first line") { $0.contains(UInt8(ascii: "\n")) }
        let servers = process.standardOutputText.split(separator: "\n").first.map(String.init) ?? ""
        return RunningBroker(process: process, bootstrapServers: servers)
    }

    /// Starts `kinfer worker` against this broker with a short session timeout (the embedded cluster waits
    /// `session.timeout.ms` for rebalances) and waits until it owns partitions. Without `--http-port` in `extra`,
    /// its HTTP server is off, so that several workers (and other tests on this host) never clash on a port.
    func startWorker(_ extra: [String]) async throws -> ChildProcess {
        let httpPort = extra.contains("--http-port") ? [] : ["--http-port", "0"]
        let worker = try KinferBinary.launch(
            ["worker", "--bootstrap-servers", bootstrapServers, "--kafka-property", "session.timeout.ms=6000"]
                + httpPort + extra
        )
        try await worker.waitForOutput(containing: "partitions assigned", on: .standardError, timeout: .seconds(60))
        return worker
    }

    /// `kinfer <arguments> --bootstrap-servers <this broker>`, required to succeed.
    func kinfer(_ arguments: [String], input: Data? = nil, timeout: Duration = .seconds(60)) async throws -> ChildProcessResult {
        try await KinferBinary.run(arguments + ["--bootstrap-servers", bootstrapServers], input: input, timeout: timeout).requireSuccess()
    }

    func stop() async {
        await process.stop()
    }
}
