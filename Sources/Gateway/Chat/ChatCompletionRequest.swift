import Foundation
import InferenceJobs

/// A `POST /v1/chat/completions` body, read and checked: OpenAI's request shape (`model`, `messages`, `stream`,
/// `max_tokens`) turned into the job the gateway submits. Other OpenAI fields (`temperature`, `top_p`, `user`, …)
/// are accepted and not passed on: the workers' models take none of them.
///
/// The body is read by the contract's own decoder, as `POST /v1/jobs` reads a job: a chat body is a job in the plain
/// shape (`messages` and `max_tokens` at the top level), so the same types are refused with the same field names,
/// and the job holds exactly what a worker would read.
struct ChatCompletionRequest: Sendable, Hashable {
    var model: String
    var messages: [ChatMessage]
    /// Whether the answer is `text/event-stream` chunks (`stream`); defaults to `false`.
    var stream: Bool
    /// `max_tokens`, or the newer `max_completion_tokens`.
    var maxTokens: Int?

    /// - Throws: ``Problem``: `400` for a body that is not a JSON object or nests too deeply; `422` naming the field
    ///   for a missing or wrong `model`, `messages`, `stream` or `max_tokens`, or a model that does not generate text.
    init(body: [UInt8], maxDepth: Int, rules: ModelRules) throws(Problem) {
        let shape = JSONShape(scanning: body, maxDepth: maxDepth)
        guard shape.depth <= maxDepth else { throw Problem.malformedJSON("the body nests deeper than \(maxDepth) levels") }
        let job: InferenceJob
        var ignored: [JobDecodingError] = []
        do {
            // Decoded with a placeholder ID (a chat body has none; one it carries is ignored): only the fields read
            // here are kept.
            job = try JobCodec.decodeJob(body, fallbackSubmittedAt: Date(), ignoredFields: &ignored, fallbackJobID: "chat")
        } catch {
            if error.code == .missingFeatures { throw Self.invalid("messages", "'messages' is required: an array of {\"role\", \"content\"}", "missing_field") }
            throw Submission.problem(error)
        }
        guard shape.topLevelKeys.contains("messages"), let messages = job.inputs.messages else {
            throw Self.invalid("messages", "'messages' is required: an array of {\"role\", \"content\"}", "missing_field")
        }
        let problems = ignored.filter { ["stream", "max_tokens"].contains($0.field) }
        guard problems.isEmpty else {
            throw Problem.invalidJob(problems.map { Problem.FieldError(field: $0.field ?? "body", message: $0.message, reason: $0.reason) })
        }
        guard !messages.isEmpty else { throw Self.invalid("messages", "'messages' must hold at least one message", "invalid_value") }
        for (index, message) in messages.enumerated() where message.role.isEmpty {
            throw Self.invalid("messages[\(index)].role", "'messages[\(index)].role' must not be empty", "invalid_value")
        }
        guard let model = job.model, shape.topLevelKeys.contains("model") else {
            throw Self.invalid("model", "'model' is required", "missing_field")
        }
        guard !model.isEmpty else { throw Self.invalid("model", "'model' must not be empty", "invalid_value") }
        if let refusal = rules.generationProblem(model: model) { throw Problem.invalidJob([refusal]) }
        var maxTokens = job.inputs.maxTokens
        if maxTokens == nil, let newer = job.extra["max_completion_tokens"], newer != .null {
            guard case .integer(let count) = newer, count >= 1 else {
                throw Self.invalid("max_completion_tokens", "'max_completion_tokens' must be an integer of at least 1", "invalid_value")
            }
            maxTokens = count
        }
        self.init(model: model, messages: messages, stream: job.stream, maxTokens: maxTokens)
    }

    init(model: String, messages: [ChatMessage], stream: Bool, maxTokens: Int?) {
        self.model = model
        self.messages = messages
        self.stream = stream
        self.maxTokens = maxTokens
    }

    /// The job: the conversation and `max_tokens` as its inputs, always streamed, so that a streamed answer has its
    /// tokens and any instance can serve a reconnect to its events.
    func job(id: String, now: Date) -> InferenceJob {
        InferenceJob(
            jobID: id, model: self.model, inputs: ModelInput(messages: self.messages, maxTokens: self.maxTokens),
            submittedAt: now, stream: true
        )
    }

    private static func invalid(_ field: String, _ message: String, _ reason: String) -> Problem {
        Problem.invalidJob([Problem.FieldError(field: field, message: message, reason: reason)])
    }
}
