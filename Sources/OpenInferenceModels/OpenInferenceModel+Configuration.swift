extension OpenInferenceModel {
    /// Where the model is and how to talk to it. Only the URL is required; what is left `nil` comes from the model's
    /// metadata at start-up.
    public struct Configuration: Sendable {
        /// The model's URL, e.g. `http://127.0.0.1:8080/v2/models/digits` (or `.../versions/1` to pin a version).
        public var endpoint: ModelEndpoint
        /// The name jobs use to address the model. Defaults to the model's name on the server.
        public var name: String
        /// The version recorded in results. Defaults to the URL's version, else the first version the metadata lists,
        /// else `unversioned`.
        public var version: String?
        /// The datatype features are sent as. Defaults to the metadata's input datatype when it is `FP32` or `FP64`,
        /// else `FP64`.
        public var datatype: TensorDatatype?
        /// The input tensor's name. Defaults to the metadata's single input, else `input-0`.
        public var inputName: String?
        /// The outputs to ask for. Defaults to every output the metadata lists; none listed leaves it to the server.
        public var outputs: [String]?
        /// How long one request may take, connecting included, before it fails as retryable.
        /// Defaults to `10` seconds.
        public var requestTimeout: Duration = .seconds(10)
        /// The most requests in flight at once; more wait their turn (their timeout starts when they are sent).
        /// Defaults to `8`.
        public var maxConcurrentRequests = 8
        /// The most connections kept to the server. Defaults to `8`.
        public var maxConnections = 8
        /// How long start-up waits for `/ready` to answer 200. Defaults to `60` seconds.
        public var readinessTimeout: Duration = .seconds(60)

        /// - Parameter url: the model's URL; see ``ModelEndpoint``.
        public init(url: String) throws(OpenInferenceError) {
            self.endpoint = try ModelEndpoint(url: url)
            self.name = self.endpoint.modelName
            self.version = self.endpoint.modelVersion
        }
    }
}
