import Foundation
import InferenceJobs
import Testing

/// The job schema and the Swift codec must describe the same contract: every key the encoder writes is in the schema
/// with a matching type, every schema property is one the decoder knows, the required rules are exactly what the
/// decoder requires, and each field's rule for unreadable values is what the decoder does.
@Suite struct JobSchemaTests {
    let schema: SchemaDocument
    let inputsSchema: [String: JSONValue]

    init() throws {
        self.schema = try SchemaDocument(JobSchemas.jobSchemaURL)
        self.inputsSchema = try #require(self.schema.definition("inputs"))
    }

    static let classifierJob = InferenceJob(
        jobID: "s-1",
        model: "digits",
        inputs: ModelInput(features: [0, 1.5], imageURL: "https://images.example/1.png"),
        submittedAt: Date(timeIntervalSince1970: 1_795_916_811.123),
        deadline: Date(timeIntervalSince1970: 1_795_916_871.123),
        timeoutMs: 30_000,
        callbackURL: "https://orders.example/cb",
        attempt: 2
    )

    static let generativeJob = InferenceJob(
        jobID: "g-1",
        model: "generator",
        inputs: ModelInput(
            prompt: "Write a haiku about queues.",
            messages: [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Why Kafka?")],
            maxTokens: 20
        ),
        submittedAt: Date(timeIntervalSince1970: 1_795_916_811.123),
        timeoutMs: 60_000,
        callbackURL: "https://orders.example/cb",
        stream: true
    )

    static let jobs = [classifierJob, generativeJob]

    /// The fields the plain shape has at the top level instead of in `inputs`.
    static let plainInputKeys = ["features", "image_url", "prompt", "messages", "max_tokens"]

    /// `job` in the plain shape: its `inputs` moved to the top level.
    static func plain(_ job: InferenceJob) throws -> [String: JSONValue] {
        var document = try SchemaDocument.object(JobCodec.encode(job))
        guard case .object(let inputs)? = document.removeValue(forKey: "inputs") else { throw SchemaFailure("inputs is not an object") }
        document.merge(inputs) { _, input in input }
        return document
    }

    func decodes(_ document: [String: JSONValue]) throws -> Bool {
        (try? JobCodec.decodeJob(SchemaDocument.bytes(document), fallbackSubmittedAt: .distantPast)) != nil
    }

    // MARK: Swift to schema

    @Test(arguments: jobs)
    func everyKeyTheEncoderWritesIsInTheSchemaWithItsType(_ job: InferenceJob) throws {
        let encoded = try SchemaDocument.object(JobCodec.encode(job))
        self.schema.expectConforms(encoded, to: self.schema.root, path: "job")
        guard case .object(let inputs)? = encoded["inputs"] else { throw SchemaFailure("inputs is not an object") }
        self.schema.expectConforms(inputs, to: self.inputsSchema, path: "job.inputs")
        if case .array(let messages)? = inputs["messages"] {
            let messagesNode = try #require(SchemaDocument.properties(of: self.inputsSchema)["messages"]?.objectValue)
            let messageSchema = try #require(self.schema.resolved(messagesNode)["items"]?.objectValue)
            for message in messages.compactMap(\.objectValue) {
                self.schema.expectConforms(message, to: messageSchema, path: "job.inputs.messages[]")
            }
        }
    }

    @Test func propertiesAreExactlyTheKeysOfBothShapes() throws {
        var canonicalKeys: Set<String> = []
        var inputKeys: Set<String> = []
        for job in Self.jobs {
            let encoded = try SchemaDocument.object(JobCodec.encode(job))
            canonicalKeys.formUnion(encoded.keys)
            if let inputs = encoded["inputs"]?.objectValue { inputKeys.formUnion(inputs.keys) }
        }
        #expect(Set(SchemaDocument.properties(of: self.schema.root).keys) == canonicalKeys.union(Self.plainInputKeys))
        #expect(Set(SchemaDocument.properties(of: self.inputsSchema).keys) == inputKeys)
    }

    // MARK: Schema to Swift

    @Test func everySchemaPropertyIsKnownToTheDecoder() throws {
        for (key, property) in SchemaDocument.properties(of: self.schema.root) {
            var document: [String: JSONValue] = ["job_id": .string("s-1")]
            if key != "inputs" && key != "features" {
                document["features"] = .array([.integer(1)])
            }
            document[key] = try SchemaDocument.example(of: property, named: key)
            let job = try JobCodec.decodeJob(SchemaDocument.bytes(document), fallbackSubmittedAt: .distantPast)
            #expect(job.extra[key] == nil, "schema property '\(key)' landed in extra")
        }
        for (key, property) in SchemaDocument.properties(of: self.inputsSchema) {
            var inputsDocument: [String: JSONValue] = ["features": .array([.integer(1)])]
            inputsDocument[key] = try SchemaDocument.example(of: property, named: key)
            let document: [String: JSONValue] = ["job_id": .string("s-1"), "inputs": .object(inputsDocument)]
            let job = try JobCodec.decodeJob(SchemaDocument.bytes(document), fallbackSubmittedAt: .distantPast)
            #expect(job.inputs.extra[key] == nil, "schema property 'inputs.\(key)' landed in inputs.extra")
        }
    }

    /// Each field says what becomes of a job whose value for it cannot be read, and the decoder does exactly that
    /// with a value of a type the field does not allow: a rule that says poison fails the job; any other says
    /// "ignored", and the decoder runs the job and reports the field.
    @Test func everyFieldsRuleForUnreadableValuesIsWhatTheDecoderDoes() throws {
        typealias Field = (parent: String?, key: String, property: JSONValue)
        let fields: [Field] = SchemaDocument.properties(of: self.schema.root).map { (nil, $0.key, $0.value) }
            + SchemaDocument.properties(of: self.inputsSchema).map { ("inputs", $0.key, $0.value) }
        for (parent, key, property) in fields {
            let field = parent.map { "\($0).\(key)" } ?? key
            guard let node = property.objectValue, case .string(let rule)? = node["x-kinfer-if-unreadable"] else {
                Issue.record("job schema property '\(field)' has no x-kinfer-if-unreadable")
                continue
            }
            let unreadable: JSONValue = self.schema.types(of: node).contains("object") ? .bool(true) : .object([:])
            var document: [String: JSONValue] = ["job_id": .string("u-1")]
            if parent != nil {
                var inputs: [String: JSONValue] = key == "features" ? [:] : ["features": .array([.integer(1)])]
                inputs[key] = unreadable
                document["inputs"] = .object(inputs)
            } else {
                if key != "inputs" && key != "features" { document["features"] = .array([.integer(1)]) }
                document[key] = unreadable
            }
            var ignored: [JobDecodingError] = []
            let job = try? JobCodec.decodeJob(SchemaDocument.bytes(document), fallbackSubmittedAt: .distantPast, ignoredFields: &ignored)
            #expect(rule.contains("poison") == (job == nil), "\(field): \(rule)")
            if job != nil {
                #expect(rule.hasPrefix("Ignored") || rule.contains(": ignored"), "\(field): \(rule)")
                #expect(ignored.map(\.field) == [field], "\(field) is not reported as ignored")
            }
        }
    }

    // MARK: Required fields

    /// For every subset of a job's keys, in both shapes and inside `inputs`: the decoder refuses the job exactly when
    /// the schema's required rules do.
    @Test(arguments: jobs)
    func requiredRulesMatchWhatTheDecoderRequires(_ job: InferenceJob) throws {
        let canonical = try SchemaDocument.object(JobCodec.encode(job))
        for document in [canonical, try Self.plain(job)] {
            for kept in SchemaDocument.subsets(of: Array(document.keys)) {
                let reduced = document.filter { kept.contains($0.key) }
                let admitted = self.schema.admits(self.schema.root, keys: kept)
                #expect(try self.decodes(reduced) == admitted, "job with only \(kept.sorted())")
            }
        }
        guard case .object(let inputs)? = canonical["inputs"] else { throw SchemaFailure("inputs is not an object") }
        for kept in SchemaDocument.subsets(of: Array(inputs.keys)) {
            var document = canonical
            document["inputs"] = .object(inputs.filter { kept.contains($0.key) })
            let admitted = self.schema.admits(self.inputsSchema, keys: kept)
            #expect(try self.decodes(document) == admitted, "job with only inputs \(kept.sorted())")
        }
    }
}
