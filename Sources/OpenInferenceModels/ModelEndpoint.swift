/// Where one model lives on an Open Inference Protocol (KServe v2) server, parsed from its URL:
/// `http://HOST:PORT[/PREFIX]/v2/models/NAME[/versions/VERSION]`.
///
/// Every request for the model goes under that URL: `.../ready`, `.../infer`, and the URL itself for metadata.
public struct ModelEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The model's URL without a trailing slash; the metadata resource.
    public let url: String
    /// The model's name on the server (`NAME`).
    public let modelName: String
    /// The version the URL pins (`VERSION`), or `nil` for the server's choice.
    public let modelVersion: String?

    /// - Throws: `OpenInferenceError` with code `invalidURL` when `url` is not an `http` or `https` URL whose path
    ///   ends in `/v2/models/NAME` or `/v2/models/NAME/versions/VERSION`.
    public init(url: String) throws(OpenInferenceError) {
        var trimmed = Substring(url)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let schemeEnd = trimmed.range(of: "://"),
            ["http", "https"].contains(trimmed[..<schemeEnd.lowerBound].lowercased())
        else {
            throw OpenInferenceError(.invalidURL, "\(url) is not an http:// or https:// URL")
        }
        let segments = trimmed[schemeEnd.upperBound...].split(separator: "/", omittingEmptySubsequences: false)
        // segments: host, ..., "v2", "models", NAME [, "versions", VERSION]
        let tail = Array(segments.dropFirst())
        func model(at index: Int) -> Bool {
            index >= 0 && tail[index] == "v2" && tail[index + 1] == "models" && !tail[index + 2].isEmpty
        }
        if tail.count >= 5, model(at: tail.count - 5), tail[tail.count - 2] == "versions", !tail[tail.count - 1].isEmpty {
            self.modelName = String(tail[tail.count - 3])
            self.modelVersion = String(tail[tail.count - 1])
        } else if tail.count >= 3, model(at: tail.count - 3) {
            self.modelName = String(tail[tail.count - 1])
            self.modelVersion = nil
        } else {
            throw OpenInferenceError(
                .invalidURL, "\(url) does not end in /v2/models/NAME or /v2/models/NAME/versions/VERSION"
            )
        }
        guard !segments[0].isEmpty else {
            throw OpenInferenceError(.invalidURL, "\(url) has no host")
        }
        self.url = String(trimmed)
    }

    /// `GET`: 200 when the model is ready to infer.
    public var readyURL: String { self.url + "/ready" }
    /// `POST`: one inference request.
    public var inferURL: String { self.url + "/infer" }

    public var description: String { self.url }
}
