import ModelServerHTTP
import Foundation

/// What one `data:` event of a streamed chat completion says: a piece of text, a finish reason, or an error.
///
/// `{"choices": [{"index": 0, "delta": {"content": "..."}, "finish_reason": null}]}`; the first event usually carries
/// only the role, the last only the finish reason, and some servers send a final one with usage and no choices.
/// Only the first choice is read: kinfer asks for one.
struct ChatCompletionChunk: Equatable, Sendable {
    /// The text this event adds; `nil` or empty when it adds none.
    var content: String?
    /// Why generation ended, when this event says so.
    var finishReason: String?

    /// - Throws: ``ChatCompletionError`` (`streamError`) for an error event, (`badResponse`) for data that is not a
    ///   chunk.
    init(data: String) throws(ChatCompletionError) {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else {
                throw ChatCompletionError(.badResponse, "an event's data is not a JSON object: \(data.prefix(200))")
            }
            object = parsed
        } catch let error as ChatCompletionError {
            throw error
        } catch {
            throw ChatCompletionError(.badResponse, "an event's data is not JSON: \(data.prefix(200))")
        }
        if object["error"] != nil {
            throw ChatCompletionError(.streamError, ChatCompletionError.message(in: object) ?? "\(data.prefix(1_000))")
        }
        guard let choices = object["choices"] as? [Any] else {
            throw ChatCompletionError(.badResponse, "an event has no choices: \(data.prefix(200))")
        }
        guard let choice = choices.first as? [String: Any] else { return }
        self.content = (choice["delta"] as? [String: Any])?["content"] as? String
        self.finishReason = choice["finish_reason"] as? String
    }

    init(content: String?, finishReason: String?) {
        self.content = content
        self.finishReason = finishReason
    }
}
