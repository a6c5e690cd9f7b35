import AsyncHTTPClient
import ChatCompletionModels
import Foundation
import InferenceModels
import KinferTestSupport
import Logging

/// `scripts/openai_stub.py`, the repository's OpenAI-compatible streaming stub, started for one test on 127.0.0.1
/// with a port the system picks (the stub prints it), so that no test depends on a server that happens to run.
///
/// The stub needs only Python's standard library: `KINFER_PYTHON` when set, else the repository's `.venv`, else
/// `python3` on `PATH`.
final class OpenAIStub: Sendable {
    /// `http://127.0.0.1:<port>`.
    let url: String
    private let process: ChildProcess

    var chatURL: String { self.url + "/v1/chat/completions" }

    private init(url: String, process: ChildProcess) {
        self.url = url
        self.process = process
    }

    static func launch(model: String = "stub-model") async throws -> OpenAIStub {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["KINFER_PYTHON"] ?? "", "\(root)/.venv/bin/python", "python3"].filter { !$0.isEmpty }
        guard let python = candidates.lazy.compactMap(ChildProcess.findExecutable).first else {
            throw ChildProcessError(description: "no Python for scripts/openai_stub.py (tried \(candidates.joined(separator: ", ")))")
        }
        let child = try ChildProcess.launch(python, ["\(root)/scripts/openai_stub.py", "--host", "127.0.0.1", "--port", "0", "--model", model])
        do {
            try await child.waitForOutput(containing: "\n", on: .standardOutput, timeout: .seconds(30))
        } catch {
            await child.stop()
            throw error
        }
        guard let match = child.standardOutputText.firstMatch(of: /listening on (http:\/\/127\.0\.0\.1:\d+)/) else {
            await child.stop()
            throw ChildProcessError(description: "scripts/openai_stub.py printed no address: \(child.standardOutputText)")
        }
        return OpenAIStub(url: String(match.1), process: child)
    }

    func stop() async {
        await self.process.stop()
    }

    /// What the stub received for one chat completion.
    struct Received: Decodable, Sendable {
        struct Body: Decodable, Sendable, Equatable {
            struct Message: Decodable, Sendable, Equatable {
                var role: String
                var content: String
            }
            var model: String
            var messages: [Message]
            var stream: Bool
            var max_tokens: Int?
        }
        var body: Body
        var authorization: String?
    }

    /// The chat completions received so far, oldest first.
    func received() async throws -> [Received] {
        try JSONDecoder().decode([Received].self, from: try await self.get("/stub/requests"))
    }

    /// How many streams the client closed before their end.
    func disconnects() async throws -> Int {
        struct Count: Decodable { var disconnects: Int }
        return try JSONDecoder().decode(Count.self, from: try await self.get("/stub/disconnects")).disconnects
    }

    private func get(_ path: String) async throws -> Data {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: self.url + path), timeout: .seconds(10))
        return Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
    }
}

let quietLogger = Logger(label: "kinfer.tests.chat-completion") { _ in SwiftLogNoOpLogHandler() }

/// Runs `body` with a fresh stub, stopped afterwards even when `body` throws.
func withOpenAIStub<Result>(model: String = "stub-model", _ body: (OpenAIStub) async throws -> Result) async throws -> Result {
    let stub = try await OpenAIStub.launch(model: model)
    do {
        let result = try await body(stub)
        await stub.stop()
        return result
    } catch {
        await stub.stop()
        throw error
    }
}

/// Runs `body` with a fresh stub and a model connected to it, both shut down afterwards.
func withStubModel<Result>(
    _ configure: (inout ChatCompletionModel.Options) -> Void = { _ in },
    _ body: (OpenAIStub, ChatCompletionModel) async throws -> Result
) async throws -> Result {
    try await withOpenAIStub { stub in
        var options = ChatCompletionModel.Options()
        options.requestTimeout = .seconds(10)
        configure(&options)
        let configuration = try ChatCompletionModel.Configuration(url: stub.chatURL, options: options)
        return try await ChatCompletionModel.withModel(configuration, logger: quietLogger) { try await body(stub, $0) }
    }
}

extension TextGeneration {
    /// Every event, or the events before the failure and the failure.
    func events() async -> (events: [GenerationEvent], failure: (any Error)?) {
        var events: [GenerationEvent] = []
        do {
            for try await event in self { events.append(event) }
            return (events, nil)
        } catch {
            return (events, error)
        }
    }
}
