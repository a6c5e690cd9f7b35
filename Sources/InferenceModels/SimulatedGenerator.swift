import InferenceJobs

/// A stand-in generative model: deterministic text at a chosen pace, for demos, tests and load tests without a
/// language model.
///
/// The same prompt (or conversation) always gives the same words, so that a repeated run of a job writes the same
/// chunks; each chunk is one word, with a leading space after the first, as language models' tokens are.
public struct SimulatedGenerator: GenerativeModel {
    public struct Configuration: Sendable {
        /// The name jobs use. Defaults to `generator`.
        public var name: String
        /// Defaults to `generator-1`.
        public var version: String
        /// The time each chunk takes, the first included. Defaults to 50 ms, a language model's usual pace.
        public var tokenInterval: Duration
        /// How many chunks a job gets when it does not give `max_tokens`. Defaults to 100.
        public var tokenCount: Int

        public init(
            name: String = "generator",
            version: String = "generator-1",
            tokenInterval: Duration = .milliseconds(50),
            tokenCount: Int = 100
        ) {
            precondition(tokenCount > 0, "a generator writes at least one token")
            self.name = name
            self.version = version
            self.tokenInterval = tokenInterval
            self.tokenCount = tokenCount
        }
    }

    public let configuration: Configuration
    public var name: String { self.configuration.name }
    public var version: String { self.configuration.version }

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// `max_tokens` chunks when the job gives it (finishing for `length`), otherwise the configured count (`stop`).
    public func generate(_ input: ModelInput) -> TextGeneration {
        let count = input.maxTokens ?? self.configuration.tokenCount
        let finishReason = input.maxTokens == nil ? "stop" : "length"
        let seed = Self.seed(of: input)
        let interval = self.configuration.tokenInterval
        return TextGeneration {
            let clock = ContinuousClock()
            var start: ContinuousClock.Instant?
            var random = SplitMix64(seed: seed)
            var text = ""
            var made = 0
            return {
                if made > count { return nil }
                if made == count {
                    made += 1
                    return .finished(GeneratedText(text: text, tokens: count, finishReason: finishReason))
                }
                let began = start ?? clock.now
                start = began
                try await clock.sleep(until: began + interval * (made + 1))
                let word = Self.words[Int(random.next() % UInt64(Self.words.count))]
                let token = made == 0 ? word : " " + word
                text += token
                made += 1
                return .chunk(token)
            }
        }
    }

    public func failureClass(of error: any Error) -> FailureClass {
        (error as? ModelFailure)?.failureClass ?? .retryable
    }

    /// FNV-1a of the prompt and the messages: the words depend on nothing else.
    private static func seed(of input: ModelInput) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            hash = (hash ^ 0xff) &* 0x0000_0100_0000_01b3
        }
        mix(input.prompt ?? "")
        for message in input.messages ?? [] {
            mix(message.role)
            mix(message.content)
        }
        return hash
    }

    private static let words = [
        "the", "queue", "holds", "every", "job", "until", "a", "worker", "takes", "it", "and", "each", "token",
        "streams", "back", "in", "order", "through", "Kafka", "to", "whoever", "waits", "for", "its", "result",
        "so", "that", "no", "connection", "stays", "open", "while", "model", "thinks", "about", "answer",
    ]
}
