import Foundation
import InferenceJobs
import Testing

/// The result schema and the Swift codec must describe the same contract, for a classification, generated text and
/// a failure.
@Suite struct ResultSchemaTests {
    let schema: SchemaDocument

    init() throws {
        self.schema = try SchemaDocument(JobSchemas.resultSchemaURL)
    }

    static let results = [
        JobResult(
            jobID: "s-1", status: .completed, output: ModelOutput(label: "1", confidence: 0.75, scores: [0.25, 0.75]),
            attempts: 1, model: "digits", modelVersion: "digits-lr-1", worker: "w",
            submittedAt: Date(timeIntervalSince1970: 1_795_916_811.123),
            startedAt: Date(timeIntervalSince1970: 1_795_916_811.2),
            completedAt: Date(timeIntervalSince1970: 1_795_916_811.3),
            callbackURL: "https://orders.example/cb"
        ),
        JobResult(
            jobID: "g-1", status: .completed,
            output: .text(GeneratedText(text: "Queues hold the work.", tokens: 4, finishReason: "length")),
            attempts: 2, model: "generator", modelVersion: "generator-1", worker: "w",
            submittedAt: Date(timeIntervalSince1970: 1_795_916_811.123),
            startedAt: Date(timeIntervalSince1970: 1_795_916_811.2),
            completedAt: Date(timeIntervalSince1970: 1_795_916_813.3)
        ),
        JobResult(
            jobID: "s-2", status: .failed, error: JobError(errorClass: .fatal, message: "no"), attempts: 3,
            model: "digits", modelVersion: "digits-lr-1", worker: "w",
            submittedAt: Date(timeIntervalSince1970: 1_795_916_811),
            completedAt: Date(timeIntervalSince1970: 1_795_916_812)
        ),
    ]

    /// The schema of each nested object the encoder writes (`output`, `error`), by the key it is written under.
    func nestedSchemas(of encoded: [String: JSONValue]) throws -> [(key: String, fields: [String: JSONValue], schema: [String: JSONValue])] {
        let properties = SchemaDocument.properties(of: self.schema.root)
        return try encoded.compactMap { key, value in
            guard case .object(let fields) = value else { return nil }
            let property = try #require(properties[key]?.objectValue, "result.\(key)")
            return (key, fields, try self.schema.objectSchema(property, for: fields))
        }
    }

    @Test(arguments: results)
    func everyKeyTheEncoderWritesIsInTheSchemaWithItsType(_ result: JobResult) throws {
        let encoded = try SchemaDocument.object(JobCodec.encode(result))
        self.schema.expectConforms(encoded, to: self.schema.root, path: "result")
        for (key, fields, nested) in try self.nestedSchemas(of: encoded) {
            self.schema.expectConforms(fields, to: nested, path: "result.\(key)")
        }
    }

    @Test func timestampsMatchTheSchemasPattern() throws {
        let timestamp = try #require(self.schema.definition("timestamp"))
        guard case .string(let pattern)? = timestamp["pattern"] else { throw SchemaFailure("no timestamp pattern") }
        let regex = try Regex(pattern)
        let encoded = try SchemaDocument.object(JobCodec.encode(Self.results[0]))
        for key in ["submitted_at", "started_at", "completed_at"] {
            guard case .string(let text)? = encoded[key] else { throw SchemaFailure("\(key) is not a string") }
            #expect(text.wholeMatch(of: regex) != nil, "\(key) = \(text)")
        }
    }

    /// Top-level properties are the keys written over all the results; each output form's properties are the keys
    /// its results write, and every form is written by one of them.
    @Test func propertiesAreExactlyTheKeysTheEncoderWrites() throws {
        var written: Set<String> = []
        var formsWritten: Set<String> = []
        for result in Self.results {
            let encoded = try SchemaDocument.object(JobCodec.encode(result))
            written.formUnion(encoded.keys)
            for (key, fields, nested) in try self.nestedSchemas(of: encoded) {
                #expect(Set(SchemaDocument.properties(of: nested).keys) == Set(fields.keys), "result.\(key)")
                formsWritten.insert("\(key):\(nested["title"]?.stringValue ?? "")")
            }
        }
        #expect(Set(SchemaDocument.properties(of: self.schema.root).keys) == written)
        let output = try #require(SchemaDocument.properties(of: self.schema.root)["output"]?.objectValue)
        for form in self.schema.branches(of: output) {
            #expect(formsWritten.contains("output:\(form["title"]?.stringValue ?? "")"), "no result writes \(form["title"] ?? .null)")
        }
    }

    @Test(arguments: results)
    func requiredRulesMatchWhatTheDecoderRequires(_ result: JobResult) throws {
        let encoded = try SchemaDocument.object(JobCodec.encode(result))
        for key in encoded.keys {
            var document = encoded
            document[key] = nil
            let fails = (try? JobCodec.decodeResult(SchemaDocument.bytes(document))) == nil
            #expect(fails == SchemaDocument.required(self.schema.root).contains(key), "result without '\(key)'")
        }
        let properties = SchemaDocument.properties(of: self.schema.root)
        for (nestedKey, fields, _) in try self.nestedSchemas(of: encoded) {
            let property = try #require(properties[nestedKey]?.objectValue)
            for kept in SchemaDocument.subsets(of: Array(fields.keys)) {
                var document = encoded
                document[nestedKey] = .object(fields.filter { kept.contains($0.key) })
                let fails = (try? JobCodec.decodeResult(SchemaDocument.bytes(document))) == nil
                #expect(fails == !self.schema.admits(property, keys: kept), "result with only \(nestedKey) \(kept.sorted())")
            }
        }
    }
}
