import InferenceJobs

/// The `error` member a problem carries on the OpenAI-compatible route, so that OpenAI's SDKs, which read
/// `error.message` from any failed answer, show the gateway's reason instead of a bare status.
extension Problem {
    struct OpenAIError: Sendable, Hashable {
        var message: String
        var type: String
        var param: String?
        var code: String?
    }

    /// The problem in OpenAI's words: `type` by status class (`invalid_request_error`, `authentication_error`,
    /// `rate_limit_error`, `server_error`), `param` the first field named, `code` that field's reason or the kind of
    /// problem (the last part of ``type``).
    var openAIError: OpenAIError {
        let kind: String
        switch self.status {
        case 401: kind = "authentication_error"
        case 429: kind = "rate_limit_error"
        case 400..<500: kind = "invalid_request_error"
        default: kind = "server_error"
        }
        let field = self.errors.first
        let problemKind = self.type.split(separator: "/").last.map(String.init)
        var message = self.detail
        if let field, !self.detail.contains(field.field) { message = "\(field.field): \(self.detail)" }
        return OpenAIError(message: message, type: kind, param: field?.field, code: field?.reason ?? problemKind)
    }

    /// Writes ``openAIError`` as OpenAI's `error` object: `message`, `type`, `param` (the first field named) and `code`
    /// (its reason, or the problem's kind).
    func writeOpenAIError(to writer: inout JSONWriter) {
        let error = self.openAIError
        writer.raw("{\"message\":")
        writer.string(error.message)
        writer.raw(",\"type\":")
        writer.string(error.type)
        writer.raw(",\"param\":")
        writer.optionalString(error.param)
        writer.raw(",\"code\":")
        writer.optionalString(error.code)
        writer.raw("}")
    }
}
