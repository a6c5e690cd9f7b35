/// Where an OpenAI-compatible server takes chat completions, parsed from its URL:
/// `http://HOST:PORT[/PREFIX]/chat/completions`, usually `.../v1/chat/completions` (vLLM, llama.cpp's server,
/// Ollama, TGI).
public struct ChatCompletionEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `POST`: one chat completion; the URL as given, without trailing slashes.
    public let url: String
    /// `GET`: the models the server serves (`.../models` beside `.../chat/completions`).
    public let modelsURL: String

    /// - Throws: ``ChatCompletionError`` with code `invalidURL` when `url` is not an `http` or `https` URL with a
    ///   host whose path ends in `/chat/completions`.
    public init(url: String) throws(ChatCompletionError) {
        var trimmed = Substring(url)
        var query = Substring("")
        if let start = trimmed.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            query = trimmed[start...]
            trimmed = trimmed[..<start]
        }
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let schemeEnd = trimmed.range(of: "://"),
            ["http", "https"].contains(trimmed[..<schemeEnd.lowerBound].lowercased())
        else {
            throw ChatCompletionError(.invalidURL, "\(url) is not an http:// or https:// URL")
        }
        let afterScheme = trimmed[schemeEnd.upperBound...]
        guard let pathStart = afterScheme.firstIndex(of: "/"), pathStart != afterScheme.startIndex else {
            throw ChatCompletionError(.invalidURL, "\(url) has no host, or no path ending in /chat/completions")
        }
        let path = afterScheme[pathStart...]
        guard path.hasSuffix("/chat/completions") else {
            throw ChatCompletionError(.invalidURL, "\(url) does not end in /chat/completions")
        }
        let base = trimmed.dropLast("/chat/completions".count)
        self.url = String(trimmed) + query
        self.modelsURL = String(base) + "/models" + query
    }

    /// Whether `url` names a chat-completions endpoint (its path ends in `/chat/completions`), so that a caller can
    /// tell it from another kind of model URL before parsing it.
    public static func isChatCompletionsURL(_ url: String) -> Bool {
        var path = Substring(url)
        if let start = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<start] }
        while path.hasSuffix("/") { path = path.dropLast() }
        return path.hasSuffix("/chat/completions")
    }

    public var description: String { self.url }
}
