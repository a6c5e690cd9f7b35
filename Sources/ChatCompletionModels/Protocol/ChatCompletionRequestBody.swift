import Foundation
import InferenceJobs

/// The JSON body of one streamed chat completion:
/// `{"model": ..., "messages": [{"role", "content"}], "stream": true, "max_tokens": N}`.
struct ChatCompletionRequestBody: Encodable, Sendable, Equatable {
    struct Message: Encodable, Sendable, Equatable {
        var role: String
        var content: String
    }

    var model: String
    var messages: [Message]
    var stream = true
    /// Omitted when the job gives none: the server's own limit applies.
    var maxTokens: Int?

    enum CodingKeys: String, CodingKey {
        case model, messages, stream
        case maxTokens = "max_tokens"
    }

    /// The job's `messages`, or else its `prompt` as one user message.
    ///
    /// - Throws: ``ChatCompletionError`` (`badInput`) when the job has neither.
    init(model: String, input: ModelInput) throws(ChatCompletionError) {
        if let messages = input.messages, !messages.isEmpty {
            self.messages = messages.map { Message(role: $0.role, content: $0.content) }
        } else if let prompt = input.prompt {
            self.messages = [Message(role: "user", content: prompt)]
        } else {
            throw ChatCompletionError(.badInput, "the job has no prompt and no messages for a chat model")
        }
        self.model = model
        self.maxTokens = input.maxTokens
    }

    func encoded() -> [UInt8] {
        // Encoding strings and integers cannot fail.
        Array(try! JSONEncoder().encode(self))
    }
}
