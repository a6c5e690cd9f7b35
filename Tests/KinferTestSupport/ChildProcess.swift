import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended.
public enum ChildProcessTermination: Sendable, Hashable, CustomStringConvertible {
    /// It called `exit` with this status.
    case exited(Int32)
    /// A signal it did not handle ended it (`SIGKILL` is 9, `SIGTERM` 15).
    case signalled(Int32)

    public var description: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .signalled(let signal): "killed by signal \(signal)"
        }
    }
}

/// Why a ``ChildProcess`` operation failed; the description says what ran and what it printed.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// What a finished child process did: how it ended and everything it printed.
public struct ChildProcessResult: Sendable, CustomStringConvertible {
    /// The executable's path followed by its arguments.
    public let command: [String]
    public let termination: ChildProcessTermination
    public let standardOutput: Data
    public let standardError: Data

    public var succeeded: Bool { termination == .exited(0) }
    public var standardOutputText: String { String(decoding: standardOutput, as: UTF8.self) }
    public var standardErrorText: String { String(decoding: standardError, as: UTF8.self) }

    /// The command, how it ended, and the last lines of its standard error: for failure messages.
    public var description: String {
        "`\(command.joined(separator: " "))` \(termination)\(tail("stderr", standardError))"
    }

    /// Throws a ``ChildProcessError`` unless the process exited with status 0.
    @discardableResult
    public func requireSuccess() throws -> ChildProcessResult {
        guard succeeded else { throw ChildProcessError(description: description) }
        return self
    }
}

/// A program started by a test, with its standard output and standard error captured in full.
///
/// Everything that waits takes a deadline; nothing waits on a fixed sleep. Typical uses:
///
/// ```swift
/// // Run to completion (killed, and an error thrown, if it takes longer than a minute):
/// let result = try await ChildProcess.run("/usr/bin/kcat", ["-L", "-b", servers], timeout: .seconds(60))
/// try result.requireSuccess()
///
/// // A service to crash: start it, wait until it says it is ready, kill it, check how it ended.
/// let worker = try ChildProcess.launch(kinferPath, ["worker", "--bootstrap-servers", servers])
/// try await worker.waitForOutput(containing: "started", timeout: .seconds(30))
/// worker.send(signal: SIGKILL)
/// #expect(try await worker.waitForExit(timeout: .seconds(10)) == .signalled(SIGKILL))
/// ```
///
/// A child still running when its `ChildProcess` is released is killed with `SIGKILL`, so a failing test leaves
/// no stray processes behind. Children start with no blocked signals (see `spawnWithDefaultSignalMask`), so
/// `SIGTERM` and `SIGINT` reach them as they would from a shell. Output is read on two dedicated threads (never the cooperative pool) until end of
/// file, so a child that prints a lot never blocks on a full pipe.
public final class ChildProcess: Sendable {
    /// The executable's path followed by its arguments.
    public let command: [String]
    /// The child's process ID.
    public let processIdentifier: Int32

    private let process: ProcessBox
    private let exit: OneShot<ChildProcessTermination>
    private let output: OutputCollector
    private let errorOutput: OutputCollector

    private init(
        command: [String], process: ProcessBox, exit: OneShot<ChildProcessTermination>,
        output: OutputCollector, errorOutput: OutputCollector
    ) {
        self.command = command
        self.process = process
        self.processIdentifier = process.process.processIdentifier
        self.exit = exit
        self.output = output
        self.errorOutput = errorOutput
    }

    deinit {
        if exit.value == nil {
            _ = kill(processIdentifier, SIGKILL)
        }
    }

    /// Starts `executable` and returns at once.
    /// - Parameters:
    ///   - executable: a path, or a bare name looked up in `PATH`.
    ///   - environment: variables added to (or replacing those of) this process's environment.
    ///   - currentDirectory: the child's working directory; this process's by default.
    ///   - input: written to the child's standard input, which is then closed; `nil` gives it `/dev/null`.
    public static func launch(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        currentDirectory: String? = nil,
        input: Data? = nil
    ) throws -> ChildProcess {
        guard let path = findExecutable(executable) else {
            throw ChildProcessError(description: "no executable '\(executable)' (looked in PATH: \(searchPath.joined(separator: ":")))")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if let currentDirectory {
            process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory)
        }
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        let inputPipe: Pipe?
        if input != nil {
            inputPipe = Pipe()
            process.standardInput = inputPipe
        } else {
            inputPipe = nil
            process.standardInput = FileHandle.nullDevice
        }

        let exit = OneShot<ChildProcessTermination>()
        process.terminationHandler = { finished in
            switch finished.terminationReason {
            case .exit: exit.fulfil(.exited(finished.terminationStatus))
            case .uncaughtSignal: exit.fulfil(.signalled(finished.terminationStatus))
            @unknown default: exit.fulfil(.exited(finished.terminationStatus))
            }
        }
        do {
            try spawnWithDefaultSignalMask(process)
        } catch {
            throw ChildProcessError(description: "could not start \(path): \(error)")
        }
        // The child has its own copies of the pipe ends it uses; ours must close, or end of file never comes.
        try? outputPipe.fileHandleForWriting.close()
        try? errorPipe.fileHandleForWriting.close()

        let child = ChildProcess(
            command: [path] + arguments,
            process: ProcessBox(process: process),
            exit: exit,
            output: OutputCollector(reading: outputPipe.fileHandleForReading, name: "child-stdout"),
            errorOutput: OutputCollector(reading: errorPipe.fileHandleForReading, name: "child-stderr")
        )
        if let inputPipe, let input {
            try? inputPipe.fileHandleForReading.close()
            let writer = inputPipe.fileHandleForWriting
            Thread.detachNewThread {
                // A child that exits before reading all its input must cost this thread EPIPE, not the whole
                // process SIGPIPE: block it here (SIGPIPE goes to the writing thread). The exit status will tell.
                var pipeSignal = sigset_t()
                sigemptyset(&pipeSignal)
                sigaddset(&pipeSignal, SIGPIPE)
                pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
                try? writer.write(contentsOf: input)
                try? writer.close()
            }
        }
        return child
    }

    /// Runs `executable` to completion and returns what it did, whatever its exit status.
    ///
    /// When it has not finished within `timeout`, it is stopped (``stop(grace:)``) and a ``ChildProcessError`` is
    /// thrown that includes what it printed so far.
    public static func run(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        currentDirectory: String? = nil,
        input: Data? = nil,
        timeout: Duration
    ) async throws -> ChildProcessResult {
        let child = try launch(executable, arguments, environment: environment, currentDirectory: currentDirectory, input: input)
        do {
            try await child.waitForExit(timeout: timeout)
        } catch let error as ChildProcessError {
            let termination = await child.stop()
            throw ChildProcessError(
                description: "\(error.description); stopped it (\(termination.map { "\($0)" } ?? "still running"))"
                    + tail("stdout", child.standardOutput) + tail("stderr", child.standardError)
            )
        }
        return try child.result()
    }

    /// How the child ended, or `nil` while it runs.
    public var termination: ChildProcessTermination? { exit.value }

    /// Everything the child printed on standard output so far.
    public var standardOutput: Data { output.data }
    /// Everything the child printed on standard error so far.
    public var standardError: Data { errorOutput.data }
    public var standardOutputText: String { String(decoding: standardOutput, as: UTF8.self) }
    public var standardErrorText: String { String(decoding: standardError, as: UTF8.self) }

    /// Sends `signal` to the child (`SIGTERM`, `SIGKILL`, `SIGINT`, `SIGSTOP`, ...); does nothing once it has exited.
    public func send(signal: Int32) {
        guard exit.value == nil else { return }
        _ = kill(processIdentifier, signal)
    }

    /// Waits until the child has exited and its output is read to the end, or throws a ``ChildProcessError`` at
    /// the deadline (the child keeps running; see ``stop(grace:)``).
    ///
    /// If the child has left a process of its own holding its output pipes, output is read for at most the rest
    /// of the deadline (and at most 5 seconds) after the exit, and whatever was read counts as its output.
    @discardableResult
    public func waitForExit(timeout: Duration) async throws -> ChildProcessTermination {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        guard let termination = try await withDeadline(deadline, { try await self.exit.wait() }) else {
            throw ChildProcessError(description: "`\(command.joined(separator: " "))` still running after \(timeout)")
        }
        let drainDeadline = min(deadline, clock.now.advanced(by: .seconds(5)))
        _ = try await withDeadline(drainDeadline) {
            try await self.output.waitForEndOfFile()
            try await self.errorOutput.waitForEndOfFile()
        }
        return termination
    }

    /// Stops the child: `SIGTERM`, then `SIGKILL` if it is still running after `grace`.
    /// - Returns: how it ended, or `nil` if even `SIGKILL` did not end it within 10 seconds.
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) async -> ChildProcessTermination? {
        send(signal: SIGTERM)
        if let termination = try? await waitForExit(timeout: grace) { return termination }
        send(signal: SIGKILL)
        return try? await waitForExit(timeout: .seconds(10))
    }

    /// What the child did; throws if it is still running.
    public func result() throws -> ChildProcessResult {
        guard let termination = exit.value else {
            throw ChildProcessError(description: "`\(command.joined(separator: " "))` is still running")
        }
        return ChildProcessResult(
            command: command, termination: termination, standardOutput: standardOutput, standardError: standardError
        )
    }

    /// Which of the child's outputs to watch.
    public enum Stream: Sendable {
        case standardOutput, standardError, either
    }

    /// Waits until the child has printed `text` on `stream`, or throws a ``ChildProcessError`` at the deadline or
    /// when the child's output ends without it (for example because it exited).
    public func waitForOutput(containing text: String, on stream: Stream = .either, timeout: Duration) async throws {
        let needle = Data(text.utf8)
        try await waitForOutput(on: stream, timeout: timeout, "'\(text)'") { $0.range(of: needle) != nil }
    }

    /// Waits until `condition` holds for everything printed on `stream` so far; see ``waitForOutput(containing:on:timeout:)``.
    public func waitForOutput(
        on stream: Stream = .either,
        timeout: Duration,
        _ what: @autoclosure () -> String = "the expected output",
        _ condition: @escaping @Sendable (Data) -> Bool
    ) async throws {
        let collectors: [OutputCollector] =
            switch stream {
            case .standardOutput: [output]
            case .standardError: [errorOutput]
            case .either: [output, errorOutput]
            }
        let deadline = ContinuousClock().now.advanced(by: timeout)
        let found = try await withDeadline(deadline) { () async throws -> Bool in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for collector in collectors {
                    group.addTask { try await collector.wait(until: condition) }
                }
                var ended = 0
                while let found = try await group.next() {
                    if found {
                        group.cancelAll()
                        return true
                    }
                    ended += 1
                    if ended == collectors.count { return false }
                }
                return false
            }
        }
        guard found == true else {
            let why = found == nil ? "within \(timeout)" : "before its output ended (\(termination.map { "\($0)" } ?? "still running"))"
            throw ChildProcessError(
                description: "`\(command.joined(separator: " "))` did not print \(what()) \(why)"
                    + tail("stdout", standardOutput) + tail("stderr", standardError)
            )
        }
    }

    /// `name` itself if it contains a slash, else the first executable `name` in `PATH`; `nil` if none.
    public static func findExecutable(_ name: String) -> String? {
        if name.contains("/") {
            return FileManager.default.isExecutableFile(atPath: name) ? name : nil
        }
        return searchPath.lazy.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static var searchPath: [String] {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
    }
}

/// The last lines of `data`, labelled, for error messages; empty when there is nothing.
private func tail(_ label: String, _ data: Data, lines: Int = 30) -> String {
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty else { return "" }
    let all = text.split(separator: "\n", omittingEmptySubsequences: false)
    let shown = all.suffix(lines).joined(separator: "\n")
    return "\n--- \(label)\(all.count > lines ? " (last \(lines) lines)" : "") ---\n\(shown)"
}

/// Starts `process` from a fresh thread whose signal mask is empty.
///
/// A child inherits the signal mask of the thread that spawns it, and Swift concurrency runs on libdispatch's
/// worker threads, which block SIGTERM, SIGINT, SIGHUP and more. A child spawned from a task directly would never
/// see the SIGTERM a test sends it (it would look like a program that ignores shutdown requests).
private func spawnWithDefaultSignalMask(_ process: Process) throws {
    let box = ProcessBox(process: process)
    let outcome = Mutex<Result<Void, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        let result = Result { try box.process.run() }
        outcome.withLock { $0 = result }
        done.signal()
    }
    thread.name = "child-process-spawn"
    thread.start()
    done.wait()
    try outcome.withLock { $0 }!.get()
}

/// Runs `body`, returning `nil` instead if `deadline` comes first (and cancelling `body`).
private func withDeadline<Value: Sendable>(
    _ deadline: ContinuousClock.Instant,
    _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value? {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}

/// `Process` from corelibs Foundation, used only through its thread-safe members here.
private struct ProcessBox: @unchecked Sendable {
    let process: Process
}

/// A value set once, that any number of tasks can wait for (cancellably).
private final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiters: [UInt64: CheckedContinuation<Value, any Error>] = [:]
        var nextWaiter: UInt64 = 0
    }
    private let state = Mutex(State())

    var value: Value? { state.withLock { $0.value } }

    func fulfil(_ value: Value) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value, any Error>] in
            guard state.value == nil else { return [] }
            state.value = value
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    func wait() async throws -> Value {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let now: Result<Value, any Error>? = state.withLock { state in
                    if let value = state.value { return .success(value) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }
}

/// Reads one pipe to its end on a dedicated thread, keeping everything read.
private final class OutputCollector: Sendable {
    private struct State {
        var data = Data()
        var ended = false
        /// Bumped on every chunk and at end of file; waiters wait for a newer one.
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiter: UInt64 = 0
    }
    private let state = Mutex(State())

    init(reading handle: FileHandle, name: String) {
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                self.append(chunk)
                if chunk.isEmpty { break }
            }
            try? handle.close()
        }
        thread.name = name
        thread.start()
    }

    var data: Data { state.withLock { $0.data } }

    private func append(_ chunk: Data) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            if chunk.isEmpty { state.ended = true } else { state.data.append(chunk) }
            state.generation += 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func waitForEndOfFile() async throws {
        _ = try await wait { _ in false }
    }

    /// Waits until `condition` holds for the data (`true`) or the pipe ends without it (`false`).
    func wait(until condition: @Sendable (Data) -> Bool) async throws -> Bool {
        while true {
            let (data, ended, generation) = state.withLock { ($0.data, $0.ended, $0.generation) }
            if condition(data) { return true }
            if ended { return false }
            try await waitForChange(after: generation)
        }
    }

    private func waitForChange(after generation: UInt64) async throws {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let now: Result<Void, any Error>? = state.withLock { state in
                    if state.generation != generation { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }
}
