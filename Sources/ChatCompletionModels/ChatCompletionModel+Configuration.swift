extension ChatCompletionModel {
    /// Where the server is; how to talk to it is in ``Options``.
    public struct Configuration: Sendable {
        /// The server's chat-completions URL, e.g. `http://127.0.0.1:8000/v1/chat/completions`.
        public var endpoint: ChatCompletionEndpoint
        public var options: Options

        /// - Parameter url: The chat-completions URL; see ``ChatCompletionEndpoint``.
        public init(url: String, options: Options = Options()) throws(ChatCompletionError) {
            self.endpoint = try ChatCompletionEndpoint(url: url)
            self.options = options
        }
    }

    /// How to talk to the server. Every option has a default; what is left `nil` is asked of the server at start-up.
    public struct Options: Sendable {
        /// The served model, sent as each request's `model`. Defaults to the first model `GET .../models` lists.
        public var servedModel: String?
        /// The name jobs use to address the model. Defaults to the served model.
        public var name: String?
        /// The version recorded in results. Defaults to the served model.
        public var version: String?
        /// The longest silence a request may meet: until the response head (connecting included), and then between
        /// two pieces of the stream. A stream's length is not known in advance, so a total time would either cut
        /// long answers or miss a stalled server; silence is what marks a stuck one. Defaults to `30` seconds.
        public var requestTimeout: Duration = .seconds(30)
        /// The most generations in flight at once (each holds one connection); more wait their turn, and their timeout
        /// starts when they are sent. Defaults to `8`.
        public var maxConcurrentRequests = 8
        /// How long start-up waits for the server to answer `GET .../models`. Defaults to `60` seconds.
        public var readinessTimeout: Duration = .seconds(60)
        /// Sent as `Authorization: Bearer KEY` when set; never logged. Defaults to none.
        public var apiKey: APIKey?

        public init() {}
    }
}
