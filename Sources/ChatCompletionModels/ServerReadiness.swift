import ModelServerHTTP
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Start-up and readiness checks against `GET .../models`, which every OpenAI-compatible server answers cheaply.
enum ServerReadiness {
    /// Asks `GET .../models` until the server answers, and returns the model IDs it lists: empty when it answered
    /// without a list (any answer shows it is up; only the served model's default needs the list).
    ///
    /// - Throws: ``ChatCompletionError`` (`notReady`) at the readiness timeout; `CancellationError`.
    static func waitForModels(_ configuration: ChatCompletionModel.Configuration, client: HTTPClient, logger: Logger) async throws -> [String] {
        let options = configuration.options
        let clock = ContinuousClock()
        let deadline = clock.now + options.readinessTimeout
        var last = "no answer yet"
        while true {
            do {
                // Each try ends by the readiness deadline: async-http-client retries a refused connection until then.
                let timeout = max(.milliseconds(1), min(options.requestTimeout, .seconds(5), deadline - clock.now))
                let (status, body) = try await self.get(configuration.endpoint.modelsURL, apiKey: options.apiKey, client: client, timeout: timeout)
                if status == 200, let list = try? JSONDecoder().decode(ModelList.self, from: Data(body)) {
                    return list.data.map(\.id)
                }
                // Up, but without a list: enough when the options name the model.
                if options.servedModel != nil, status < 500 { return [] }
                last = ChatCompletionError(status: status, body: body).description
            } catch {
                try Task.checkCancellation()
                last = ChatCompletionError(transportError: error).description
            }
            guard clock.now < deadline else {
                throw ChatCompletionError(
                    .notReady, "\(configuration.endpoint.modelsURL) did not list models within \(options.readinessTimeout): \(last)"
                )
            }
            logger.debug("model server not ready yet", metadata: ["url": "\(configuration.endpoint)", "last": "\(last)"])
            // A server starting up: ask again shortly rather than hammer it.
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    static func notReadyReason(_ endpoint: ChatCompletionEndpoint, apiKey: APIKey?, client: HTTPClient, timeout: Duration) async -> String? {
        do {
            let (status, body) = try await self.get(endpoint.modelsURL, apiKey: apiKey, client: client, timeout: timeout)
            return status == 200 ? nil : "model server not ready: \(ChatCompletionError(status: status, body: body))"
        } catch {
            return "model server unreachable: \(ChatCompletionError(transportError: error))"
        }
    }

    private static func get(_ url: String, apiKey: APIKey?, client: HTTPClient, timeout: Duration) async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: url)
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey.value)") }
        let response = try await client.execute(request, deadline: .now() + TimeAmount(timeout))
        var body = response.body.makeAsyncIterator()
        return (Int(response.status.code), try await body.collect(upTo: 1 << 20, within: timeout))
    }
}
