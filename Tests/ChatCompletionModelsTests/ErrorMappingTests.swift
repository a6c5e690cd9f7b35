import AsyncHTTPClient
@testable import ChatCompletionModels
import InferenceJobs
import Testing

@Suite struct ErrorMappingTests {
    @Test(arguments: [
        (400, FailureClass.fatal), (401, .fatal), (404, .fatal), (422, .fatal),
        (408, .retryable), (429, .retryable), (500, .retryable), (503, .retryable),
    ])
    func statusesAreFatalOnlyWhenTheRequestIsRefused(_ status: Int, _ expected: FailureClass) {
        #expect(ChatCompletionError(status: status, body: Array("no".utf8)).failureClass == expected)
    }

    @Test(arguments: [
        (#"{"error": {"message": "max_tokens is too large", "type": "invalid_request_error", "param": null}}"#, "max_tokens is too large"),
        (#"{"object": "error", "message": "This model's maximum context length is 4096", "type": "BadRequestError", "code": 400}"#, "This model's maximum context length is 4096"),
        (#"{"error": "Input validation error: `inputs` must have less than 2048 tokens", "error_type": "validation"}"#, "Input validation error: `inputs` must have less than 2048 tokens"),
        ("  upstream connect error  ", "upstream connect error"),
        ("", "(no message)"),
    ])
    func refusalsCarryTheServersMessage(_ body: String, _ message: String) {
        let error = ChatCompletionError(status: 400, body: Array(body.utf8))
        #expect(error.message == message)
        #expect(error.description == "the model server answered 400: \(message)")
    }

    @Test func longBodiesAreShortened() {
        let error = ChatCompletionError(status: 502, body: Array(String(repeating: "x", count: 5_000).utf8))
        #expect(error.message.count == 1_003)
    }

    @Test func noAnswerIsRetryable() {
        #expect(ChatCompletionError(transportError: HTTPClientError.readTimeout).code == .timeout)
        #expect(ChatCompletionError(transportError: HTTPClientError.deadlineExceeded).code == .timeout)
        #expect(ChatCompletionError(transportError: HTTPClientError.remoteConnectionClosed).code == .connection)
        for code: ChatCompletionError.Code in [.timeout, .connection, .incompleteStream, .streamError, .notReady] {
            #expect(ChatCompletionError(code, "x").failureClass == .retryable, "\(code)")
        }
        for code: ChatCompletionError.Code in [.invalidURL, .badInput, .badResponse] {
            #expect(ChatCompletionError(code, "x").failureClass == .fatal, "\(code)")
        }
    }

    @Test func theAPIKeyNeverPrints() {
        let key = APIKey("sk-live-123")
        #expect("\(key)" == "*****")
        #expect(String(reflecting: key) == "APIKey(*****)")
        var options = ChatCompletionModel.Options()
        options.apiKey = key
        #expect(!"\(options)".contains("sk-live-123"))
    }
}
