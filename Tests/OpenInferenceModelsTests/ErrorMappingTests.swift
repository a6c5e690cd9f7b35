import AsyncHTTPClient
import InferenceJobs
import InferenceModels
import NIOCore
import Testing

@testable import OpenInferenceModels

@Suite("Error mapping for the worker's retries")
struct ErrorMappingTests {
    @Test("429, 408 and 5xx are retryable; every other refusal is fatal", arguments: [
        (400, FailureClass.fatal), (404, .fatal), (413, .fatal), (422, .fatal),
        (408, .retryable), (429, .retryable), (500, .retryable), (502, .retryable), (503, .retryable), (504, .retryable),
    ])
    func statuses(status: Int, expected: FailureClass) {
        #expect(OpenInferenceError(status: status, body: Array("{}".utf8)).failureClass == expected)
    }

    @Test("A refusal carries the server's message: the protocol's error field, else the body")
    func messages() {
        let protocolError = OpenInferenceError(status: 400, body: Array(#"{"error":"digits takes [batch, 64] inputs"}"#.utf8))
        #expect(protocolError.message == "digits takes [batch, 64] inputs")
        #expect(protocolError.description == "the model server answered 400: digits takes [batch, 64] inputs")
        #expect(OpenInferenceError(status: 500, body: Array("Internal Server Error\n".utf8)).message == "Internal Server Error")
        #expect(OpenInferenceError(status: 503, body: []).message == "(no message)")
        #expect(OpenInferenceError(status: 400, body: Array(repeating: UInt8(ascii: "x"), count: 5_000)).message.count == 1_003)
    }

    @Test("No answer is retryable: timeouts, refused or lost connections, cancellation")
    func transport() {
        let timeouts: [HTTPClientError] = [.deadlineExceeded, .connectTimeout, .readTimeout]
        for error in timeouts {
            #expect(OpenInferenceError(transportError: error).code == .timeout)
            #expect(OpenInferenceError(transportError: error).failureClass == .retryable)
        }
        for error: any Error in [HTTPClientError.remoteConnectionClosed, ChannelError.ioOnClosedChannel, CancellationError()] {
            #expect(OpenInferenceError(transportError: error).code == .connection)
            #expect(OpenInferenceError(transportError: error).failureClass == .retryable)
        }
        #expect(OpenInferenceError(.badResponse, "x").failureClass == .fatal)
        #expect(OpenInferenceError(.badInput, "x").failureClass == .fatal)
    }

    @Test("A retryable failure fails every input of the batch without splitting it")
    func retryableBatch() throws {
        let outcomes = try OpenInferenceModel.outcomes(after: OpenInferenceError(status: 503, body: []), batchSize: 3)
        #expect(outcomes.count == 3)
        for outcome in outcomes {
            guard case .failure(let failure) = outcome else { Issue.record("\(outcome)"); continue }
            #expect(failure.failureClass == .retryable)
        }
    }

    @Test("A refusal of one input is that input's fatal failure; of several, it is thrown so the batch is split")
    func refusals() throws {
        let refusal = OpenInferenceError(status: 400, body: Array(#"{"error":"bad shape"}"#.utf8))
        let single = try OpenInferenceModel.outcomes(after: refusal, batchSize: 1)
        #expect(single == [.failure(ModelFailure(.fatal, "the model server answered 400: bad shape"))])
        #expect(throws: refusal) { try OpenInferenceModel.outcomes(after: refusal, batchSize: 2) }
    }
}
