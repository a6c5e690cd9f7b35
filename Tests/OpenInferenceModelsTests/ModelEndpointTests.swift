import OpenInferenceModels
import Testing

@Suite("Model URLs")
struct ModelEndpointTests {
    @Test("A model URL gives the name, the version if pinned, and the resources under it")
    func parses() throws {
        let plain = try ModelEndpoint(url: "http://127.0.0.1:8080/v2/models/digits/")
        #expect(plain.modelName == "digits")
        #expect(plain.modelVersion == nil)
        #expect(plain.readyURL == "http://127.0.0.1:8080/v2/models/digits/ready")
        #expect(plain.inferURL == "http://127.0.0.1:8080/v2/models/digits/infer")

        let pinned = try ModelEndpoint(url: "https://models.example/serving/v2/models/digits/versions/3")
        #expect(pinned.modelName == "digits")
        #expect(pinned.modelVersion == "3")
        #expect(pinned.url == "https://models.example/serving/v2/models/digits/versions/3")
    }

    @Test("Anything else is refused as an invalid URL", arguments: [
        "127.0.0.1:8080/v2/models/digits", "ftp://host/v2/models/digits", "http://host/v2/models", "http://host/v1/models/digits",
        "http://host/v2/models/digits/versions", "http:///v2/models/digits",
    ])
    func refuses(_ url: String) {
        #expect(throws: OpenInferenceError.self) { try ModelEndpoint(url: url) }
        #expect((try? ModelEndpoint(url: url)) == nil)
    }
}
