import Foundation
import InferenceJobs
import Testing

/// The stream-chunk schema and the Swift codec must describe the same record.
@Suite struct StreamChunkSchemaTests {
    let schema: SchemaDocument

    init() throws {
        self.schema = try SchemaDocument(JobSchemas.streamChunkSchemaURL)
    }

    static let chunk = StreamChunk(jobID: "g-1", attempt: 2, run: "worker-a/1", index: 4, tokens: [" hold", " the", " work"])

    @Test func everyKeyTheEncoderWritesIsInTheSchemaWithItsType() throws {
        let encoded = try SchemaDocument.object(JobCodec.encode(Self.chunk))
        self.schema.expectConforms(encoded, to: self.schema.root, path: "chunk")
        #expect(Set(SchemaDocument.properties(of: self.schema.root).keys) == Set(encoded.keys))
    }

    @Test func requiredFieldsAreWhatTheDecoderRequires() throws {
        let encoded = try SchemaDocument.object(JobCodec.encode(Self.chunk))
        for key in encoded.keys {
            var document = encoded
            document[key] = nil
            let fails = (try? JobCodec.decodeStreamChunk(SchemaDocument.bytes(document))) == nil
            #expect(fails == SchemaDocument.required(self.schema.root).contains(key), "chunk without '\(key)'")
        }
    }

    @Test func everySchemaExampleDecodes() throws {
        var document: [String: JSONValue] = [:]
        for (key, property) in SchemaDocument.properties(of: self.schema.root) {
            document[key] = try SchemaDocument.example(of: property, named: key)
        }
        let chunk = try JobCodec.decodeStreamChunk(SchemaDocument.bytes(document))
        #expect(chunk.tokens == ["Queues", " hold", " the", " work"])
    }
}
