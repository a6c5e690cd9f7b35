import InferenceJobs

/// OpenAI's answers to a chat completion, written by hand (as the `202` body is): the `chat.completion` object, the
/// `chat.completion.chunk` events of a streamed one and the `[DONE]` that ends it, and the error event an SDK turns
/// into an exception. Pure functions of their inputs, tested without a server.
enum ChatCompletionEncoding {
    /// `chatcmpl-<job id>`: the job stays findable (`GET /v1/jobs/{id}`) from the completion's ID.
    static func completionID(jobID: String) -> String { "chatcmpl-" + jobID }

    /// One `data:` event of a streamed completion: `content` as the delta (with `role` when `first`), or, with
    /// `finishReason`, the last chunk, whose delta is empty.
    static func chunk(
        jobID: String, created: Int, model: String, content: String?, first: Bool, finishReason: String?
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 160 + jobID.utf8.count + model.utf8.count + (content?.utf8.count ?? 0))
        writer.raw("data: {\"id\":")
        writer.string(Self.completionID(jobID: jobID))
        writer.raw(",\"object\":\"chat.completion.chunk\",\"created\":")
        writer.integer(created)
        writer.raw(",\"model\":")
        writer.string(model)
        writer.raw(",\"choices\":[{\"index\":0,\"delta\":{")
        if first {
            writer.raw("\"role\":\"assistant\"")
            if content != nil { writer.raw(",") }
        }
        if let content {
            writer.raw("\"content\":")
            writer.string(content)
        }
        writer.raw("},\"finish_reason\":")
        writer.optionalString(finishReason)
        writer.raw("}]}\n\n")
        return writer.bytes
    }

    /// The end of a streamed completion, as OpenAI ends it.
    static let done = Array("data: [DONE]\n\n".utf8)

    /// An error inside a stream already answered `200`: `data: {"error": {…}}`, which OpenAI's SDKs raise.
    static func streamError(_ problem: Problem) -> [UInt8] {
        var writer = JSONWriter(capacity: 160 + problem.detail.utf8.count)
        writer.raw("data: {\"error\":")
        problem.writeOpenAIError(to: &writer)
        writer.raw("}\n\n")
        return writer.bytes
    }

    /// The `chat.completion` object of a finished job. The workers count the tokens they generate, not the prompt's:
    /// `prompt_tokens` is `0` and `total_tokens` is the completion's.
    static func completion(jobID: String, created: Int, model: String, text: GeneratedText) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + jobID.utf8.count + model.utf8.count + text.text.utf8.count)
        writer.raw("{\"id\":")
        writer.string(Self.completionID(jobID: jobID))
        writer.raw(",\"object\":\"chat.completion\",\"created\":")
        writer.integer(created)
        writer.raw(",\"model\":")
        writer.string(model)
        writer.raw(",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":")
        writer.string(text.text)
        writer.raw("},\"finish_reason\":")
        writer.string(text.finishReason)
        writer.raw("}],\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":")
        writer.integer(text.tokens)
        writer.raw(",\"total_tokens\":")
        writer.integer(text.tokens)
        writer.raw("}}")
        return writer.bytes
    }
}
