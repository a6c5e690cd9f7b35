import ChatCompletionModels
import Testing

@Suite struct ChatCompletionEndpointTests {
    @Test(arguments: [
        ("http://127.0.0.1:8000/v1/chat/completions", "http://127.0.0.1:8000/v1/chat/completions", "http://127.0.0.1:8000/v1/models"),
        ("https://llm.internal/v1/chat/completions/", "https://llm.internal/v1/chat/completions", "https://llm.internal/v1/models"),
        ("http://ollama:11434/openai/v1/chat/completions?api-version=2", "http://ollama:11434/openai/v1/chat/completions?api-version=2", "http://ollama:11434/openai/v1/models?api-version=2"),
        ("HTTP://host/chat/completions", "HTTP://host/chat/completions", "HTTP://host/models"),
    ])
    func parsesChatCompletionURLs(_ url: String, _ chat: String, _ models: String) throws {
        let endpoint = try ChatCompletionEndpoint(url: url)
        #expect(endpoint.url == chat)
        #expect(endpoint.modelsURL == models)
        #expect(ChatCompletionEndpoint.isChatCompletionsURL(url))
    }

    @Test(arguments: [
        "ftp://host/v1/chat/completions", "127.0.0.1:8000/v1/chat/completions", "http:///v1/chat/completions",
        "http://host/v1/completions", "http://host/v2/models/digits", "http://host",
    ])
    func refusesOtherURLs(_ url: String) {
        #expect(throws: ChatCompletionError.self) { try ChatCompletionEndpoint(url: url) }
        do {
            _ = try ChatCompletionEndpoint(url: url)
        } catch {
            #expect(error.code == .invalidURL)
            #expect(error.failureClass == .fatal)
            #expect(error.message.contains(url))
        }
    }

    @Test func openInferenceURLsAreNotChatCompletionURLs() {
        #expect(!ChatCompletionEndpoint.isChatCompletionsURL("http://127.0.0.1:8080/v2/models/digits"))
        #expect(!ChatCompletionEndpoint.isChatCompletionsURL("http://127.0.0.1:8080/v1/completions"))
    }
}
