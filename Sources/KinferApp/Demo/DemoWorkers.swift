import Foundation
import Synchronization

/// The demo's worker child processes: `kinfer worker` of this very executable, output into log files.
final class DemoWorkers: Sendable {
    private let arguments: @Sendable (Int) -> [String]
    let logPaths: [String]
    private let processes: Mutex<[Process?]>
    private let crashCount = Atomic<Int>(0)
    private let executable: String

    /// - Parameter arguments: the `kinfer` arguments of the worker in slot `i`.
    init(count: Int, logDirectory: String, arguments: @escaping @Sendable (Int) -> [String]) {
        self.arguments = arguments
        self.logPaths = (1...count).map { "\(logDirectory)/demo-worker-\($0).log" }
        self.processes = Mutex(Array(repeating: nil, count: count))
        self.executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        for path in logPaths {
            try? FileManager.default.removeItem(atPath: path)
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
    }

    var count: Int { logPaths.count }
    var crashes: Int { crashCount.load(ordering: .relaxed) }

    /// Starts the worker in `slot`; its output is appended to its log file.
    func start(_ slot: Int) throws(CLIError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(slot)
        process.standardInput = FileHandle.nullDevice
        guard let log = FileHandle(forWritingAtPath: logPaths[slot]) else {
            throw CLIError("cannot write the worker log \(logPaths[slot])", hint: "check that the directory is writable")
        }
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        do {
            try spawnWithDefaultSignalMask(process)
        } catch {
            throw CLIError("cannot start a worker process (\(executable)): \(error)", hint: "check that the kinfer executable is still there")
        }
        try? log.close()
        processes.withLock { $0[slot] = process }
    }

    func startAll() throws(CLIError) {
        for slot in 0..<count { try start(slot) }
    }

    /// SIGKILLs the worker in `slot`, waits for it to die, and starts a new one in its place.
    func crashAndRestart(_ slot: Int) async throws(CLIError) {
        guard let process = processes.withLock({ $0[slot] }) else { return }
        kill(process.processIdentifier, SIGKILL)
        await Self.waitForExit(process, timeout: .seconds(10))
        appendNote("---- demo: SIGKILLed pid \(process.processIdentifier) at \(Date()); restarting ----\n", slot: slot)
        crashCount.add(1, ordering: .relaxed)
        try start(slot)
    }

    /// SIGTERM to every worker, then waits (SIGKILL after `grace`).
    func stopAll(grace: Duration = .seconds(30)) async {
        let all = processes.withLock { $0.compactMap { $0 } }
        for process in all where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        for process in all {
            await Self.waitForExit(process, timeout: grace)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                await Self.waitForExit(process, timeout: .seconds(5))
            }
        }
    }

    /// Workers that exited on their own (not by the demo's SIGKILL), as `slot: status`.
    func unexpectedExits() -> [String] {
        processes.withLock { list in
            list.enumerated().compactMap { slot, process in
                guard let process, !process.isRunning else { return nil }
                return "worker \(slot + 1) exited with status \(process.terminationStatus)"
            }
        }
    }

    /// Whether every worker's log says it owns partitions (each has joined the group once).
    var allAssigned: Bool {
        logPaths.allSatisfy { path in
            (try? String(contentsOfFile: path, encoding: .utf8))?.contains("partitions assigned") ?? false
        }
    }

    private func appendNote(_ text: String, slot: Int) {
        guard let log = FileHandle(forWritingAtPath: logPaths[slot]) else { return }
        log.seekToEndOfFile()
        log.write(Data(text.utf8))
        try? log.close()
    }

    private static func waitForExit(_ process: Process, timeout: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while process.isRunning && clock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Starts `process` from a fresh thread whose signal mask is empty: Swift concurrency's threads block SIGTERM and
/// SIGINT, and a child inherits the spawning thread's mask (it would never see the SIGTERM that drains it).
private func spawnWithDefaultSignalMask(_ process: Process) throws {
    final class Box: @unchecked Sendable {
        let process: Process
        var result: Result<Void, any Error>?
        init(_ process: Process) { self.process = process }
    }
    let box = Box(process)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        box.result = Result { try box.process.run() }
        done.signal()
    }
    thread.start()
    done.wait()
    try box.result!.get()
}
