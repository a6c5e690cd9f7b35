import Foundation
import InferenceJobs
import Testing

/// The JSON Schemas and the Swift codec must describe the same contract: every key the encoder writes is in the
/// schema with a matching type, every schema property is one the decoder knows, and the required lists agree.
@Suite struct JobSchemaTests {
    let jobSchema: [String: JSONValue]
    let resultSchema: [String: JSONValue]

    init() throws {
        self.jobSchema = try Self.load(JobSchemas.jobSchemaURL)
        self.resultSchema = try Self.load(JobSchemas.resultSchemaURL)
    }

    static let fullJob = InferenceJob(
        jobID: "s-1",
        model: "digits",
        inputs: ModelInput(features: [0, 1.5], imageURL: "https://images.example/1.png"),
        submittedAt: Date(timeIntervalSince1970: 1_795_916_811.123),
        deadline: Date(timeIntervalSince1970: 1_795_916_871.123),
        timeoutMs: 30_000,
        callbackURL: "https://orders.example/cb",
        attempt: 2
    )

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
            jobID: "s-2", status: .failed, error: JobError(errorClass: .fatal, message: "no"), attempts: 3,
            model: "digits", modelVersion: "digits-lr-1", worker: "w",
            submittedAt: Date(timeIntervalSince1970: 1_795_916_811),
            completedAt: Date(timeIntervalSince1970: 1_795_916_812)
        ),
    ]

    // MARK: Swift to schema

    @Test func everyKeyTheJobEncoderWritesIsInTheSchemaWithItsType() throws {
        let encoded = try Self.object(JobCodec.encode(Self.fullJob))
        try self.expectConforms(encoded, to: self.jobSchema, root: self.jobSchema, path: "job")
        let inputs = try #require(self.definition("inputs", in: self.jobSchema))
        guard case .object(let encodedInputs)? = encoded["inputs"] else { throw Failure("inputs is not an object") }
        try self.expectConforms(encodedInputs, to: inputs, root: self.jobSchema, path: "job.inputs")
    }

    @Test func everyKeyTheResultEncoderWritesIsInTheSchemaWithItsType() throws {
        for result in Self.results {
            let encoded = try Self.object(JobCodec.encode(result))
            try self.expectConforms(encoded, to: self.resultSchema, root: self.resultSchema, path: "result")
            for nested in ["output", "error"] {
                guard case .object(let fields)? = encoded[nested] else { continue }
                let schema = try #require(Self.properties(of: self.resultSchema)[nested]?.objectValue)
                try self.expectConforms(fields, to: schema, root: self.resultSchema, path: "result.\(nested)")
            }
        }
    }

    @Test func resultTimestampsMatchTheSchemasPattern() throws {
        let timestamp = try #require(self.definition("timestamp", in: self.resultSchema))
        guard case .string(let pattern)? = timestamp["pattern"] else { throw Failure("no timestamp pattern") }
        let regex = try Regex(pattern)
        let encoded = try Self.object(JobCodec.encode(Self.results[0]))
        for key in ["submitted_at", "started_at", "completed_at"] {
            guard case .string(let text)? = encoded[key] else { throw Failure("\(key) is not a string") }
            #expect(text.wholeMatch(of: regex) != nil, "\(key) = \(text)")
        }
    }

    // MARK: Schema to Swift

    @Test func everyJobSchemaPropertyIsKnownToTheDecoder() throws {
        for (key, property) in Self.properties(of: self.jobSchema) {
            let example = try Self.example(of: property, named: key)
            var document: [String: JSONValue] = ["job_id": .string("s-1")]
            if key != "inputs" && key != "features" {
                document["features"] = .array([.integer(1)])
            }
            document[key] = example
            let job = try JobCodec.decodeJob(Self.bytes(document), fallbackSubmittedAt: .distantPast)
            #expect(job.extra[key] == nil, "schema property '\(key)' landed in extra")
        }
        let inputs = try #require(self.definition("inputs", in: self.jobSchema))
        for (key, property) in Self.properties(of: inputs) {
            var inputsDocument: [String: JSONValue] = ["features": .array([.integer(1)])]
            inputsDocument[key] = try Self.example(of: property, named: key)
            let document: [String: JSONValue] = ["job_id": .string("s-1"), "inputs": .object(inputsDocument)]
            let job = try JobCodec.decodeJob(Self.bytes(document), fallbackSubmittedAt: .distantPast)
            #expect(job.inputs.extra[key] == nil, "schema property 'inputs.\(key)' landed in inputs.extra")
        }
    }

    /// Each field says what becomes of a job whose value for it cannot be read, and the decoder does exactly that:
    /// a required field's rule says the job fails, an optional field's that it is ignored.
    @Test func everyJobFieldNamesItsRuleForUnreadableValues() throws {
        let inputs = try #require(self.definition("inputs", in: self.jobSchema))
        let fields = Self.properties(of: self.jobSchema).map { ($0.key, $0.value) }
            + Self.properties(of: inputs).filter { $0.key != "features" }.map { ("inputs.\($0.key)", $0.value) }
        for (field, property) in fields {
            guard case .string(let rule)? = property.objectValue?["x-kinfer-if-unreadable"] else {
                Issue.record("job schema property '\(field)' has no x-kinfer-if-unreadable")
                continue
            }
            let fails = ["job_id", "features", "inputs"].contains(field)
            #expect(rule.contains("poison") == fails, "\(field): \(rule)")
            #expect(rule.hasPrefix("Ignored") || rule.contains(": ignored") || fails, "\(field): \(rule)")
        }
    }

    @Test func jobSchemaPropertiesAreExactlyTheKeysOfBothShapes() throws {
        let canonicalKeys = Set(try Self.object(JobCodec.encode(Self.fullJob)).keys)
        #expect(Set(Self.properties(of: self.jobSchema).keys) == canonicalKeys.union(["features", "image_url"]))
    }

    @Test func resultSchemaPropertiesAreExactlyTheKeysTheEncoderWrites() throws {
        var written: Set<String> = []
        var nested: [String: Set<String>] = [:]
        for result in Self.results {
            let encoded = try Self.object(JobCodec.encode(result))
            written.formUnion(encoded.keys)
            for (key, value) in encoded {
                if case .object(let fields) = value { nested[key, default: []].formUnion(fields.keys) }
            }
        }
        let properties = Self.properties(of: self.resultSchema)
        #expect(Set(properties.keys) == written)
        for (key, keys) in nested {
            let schema = try #require(properties[key]?.objectValue)
            #expect(Set(Self.properties(of: schema).keys) == keys, "result.\(key)")
        }
    }

    // MARK: Required fields

    @Test func jobRequiredListsMatchWhatTheDecoderRequires() throws {
        let canonical = try Self.object(JobCodec.encode(Self.fullJob))
        let canonicalRequired = Self.required(self.jobSchema).union(try self.shapeRequired("canonical shape"))
        for key in canonical.keys {
            var document = canonical
            document[key] = nil
            let fails = (try? JobCodec.decodeJob(Self.bytes(document), fallbackSubmittedAt: .distantPast)) == nil
            #expect(fails == canonicalRequired.contains(key), "canonical job without '\(key)'")
        }

        var plain = canonical
        plain["inputs"] = nil
        plain["features"] = .array([.integer(1)])
        plain["image_url"] = .string("https://images.example/1.png")
        let plainRequired = Self.required(self.jobSchema).union(try self.shapeRequired("plain shape"))
        for key in plain.keys {
            var document = plain
            document[key] = nil
            let fails = (try? JobCodec.decodeJob(Self.bytes(document), fallbackSubmittedAt: .distantPast)) == nil
            #expect(fails == plainRequired.contains(key), "plain job without '\(key)'")
        }

        let inputsSchema = try #require(self.definition("inputs", in: self.jobSchema))
        guard case .object(let inputs)? = canonical["inputs"] else { throw Failure("inputs is not an object") }
        for key in inputs.keys {
            var document = canonical
            var reducedInputs = inputs
            reducedInputs[key] = nil
            document["inputs"] = .object(reducedInputs)
            let fails = (try? JobCodec.decodeJob(Self.bytes(document), fallbackSubmittedAt: .distantPast)) == nil
            #expect(fails == Self.required(inputsSchema).contains(key), "job without 'inputs.\(key)'")
        }
    }

    @Test func resultRequiredListsMatchWhatTheDecoderRequires() throws {
        let properties = Self.properties(of: self.resultSchema)
        for result in Self.results {
            let encoded = try Self.object(JobCodec.encode(result))
            for key in encoded.keys {
                var document = encoded
                document[key] = nil
                let fails = (try? JobCodec.decodeResult(Self.bytes(document))) == nil
                #expect(fails == Self.required(self.resultSchema).contains(key), "result without '\(key)'")
            }
            for (nestedKey, value) in encoded {
                guard case .object(let fields) = value, let schema = properties[nestedKey]?.objectValue else {
                    continue
                }
                for key in fields.keys {
                    var reduced = fields
                    reduced[key] = nil
                    var document = encoded
                    document[nestedKey] = .object(reduced)
                    let fails = (try? JobCodec.decodeResult(Self.bytes(document))) == nil
                    #expect(fails == Self.required(schema).contains(key), "result without '\(nestedKey).\(key)'")
                }
            }
        }
    }

    // MARK: Helpers

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Checks each field's JSON type against `schema`'s properties, resolving `$ref`s in `root`.
    func expectConforms(
        _ object: [String: JSONValue],
        to schema: [String: JSONValue],
        root: [String: JSONValue],
        path: String
    ) throws {
        let properties = Self.properties(of: schema)
        for (key, value) in object {
            guard let property = properties[key]?.objectValue else {
                Issue.record("\(path).\(key) is written but not in the schema")
                continue
            }
            let types = self.types(of: property, in: root)
            #expect(Self.matches(value, types), "\(path).\(key): \(value) is not \(types.sorted())")
            if case .array(let elements) = value, let items = self.resolved(property, in: root)["items"]?.objectValue {
                let itemTypes = self.types(of: items, in: root)
                let allMatch = elements.allSatisfy { Self.matches($0, itemTypes) }
                #expect(allMatch, "\(path).\(key) items are not \(itemTypes.sorted())")
            }
        }
    }

    func shapeRequired(_ title: String) throws -> Set<String> {
        guard case .array(let branches)? = self.jobSchema["anyOf"],
            let branch = branches.compactMap(\.objectValue).first(where: { $0["title"] == .string(title) })
        else { throw Failure("the job schema has no '\(title)' branch") }
        return Self.required(branch)
    }

    func definition(_ name: String, in schema: [String: JSONValue]) -> [String: JSONValue]? {
        guard case .object(let definitions)? = schema["$defs"] else { return nil }
        return definitions[name]?.objectValue
    }

    func resolved(_ property: [String: JSONValue], in schema: [String: JSONValue]) -> [String: JSONValue] {
        guard case .string(let reference)? = property["$ref"], reference.hasPrefix("#/$defs/"),
            let definition = self.definition(String(reference.dropFirst("#/$defs/".count)), in: schema)
        else { return property }
        return property.merging(definition) { local, _ in local }
    }

    /// The JSON types a property allows: its `type`, its `$ref`'s, or the union over its `anyOf` branches.
    func types(of property: [String: JSONValue], in schema: [String: JSONValue]) -> Set<String> {
        let property = self.resolved(property, in: schema)
        switch property["type"] {
        case .string(let type)?: return [type]
        case .array(let types)?: return Set(types.compactMap(\.stringValue))
        default: break
        }
        guard case .array(let branches)? = property["anyOf"] else { return [] }
        return branches.compactMap(\.objectValue).reduce(into: []) { $0.formUnion(self.types(of: $1, in: schema)) }
    }

    static func matches(_ value: JSONValue, _ types: Set<String>) -> Bool {
        switch value {
        case .null: types.contains("null")
        case .bool: types.contains("boolean")
        case .integer: types.contains("integer") || types.contains("number")
        case .number: types.contains("number")
        case .string: types.contains("string")
        case .array: types.contains("array")
        case .object: types.contains("object")
        }
    }

    static func properties(of schema: [String: JSONValue]) -> [String: JSONValue] {
        guard case .object(let properties)? = schema["properties"] else { return [:] }
        return properties
    }

    static func required(_ schema: [String: JSONValue]) -> Set<String> {
        guard case .array(let names)? = schema["required"] else { return [] }
        return Set(names.compactMap(\.stringValue))
    }

    static func example(of property: JSONValue, named key: String) throws -> JSONValue {
        guard case .array(let examples)? = property.objectValue?["examples"], let example = examples.first else {
            throw Failure("schema property '\(key)' has no example")
        }
        return example
    }

    static func load(_ url: URL) throws -> [String: JSONValue] {
        guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url)) else {
            throw Failure("\(url.lastPathComponent) is not an object")
        }
        return object
    }

    static func object(_ bytes: [UInt8]) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: Data(bytes))
    }

    static func bytes(_ object: [String: JSONValue]) throws -> [UInt8] {
        Array(try JSONEncoder().encode(object))
    }
}

extension JSONValue {
    fileprivate var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { object } else { nil }
    }

    fileprivate var stringValue: String? {
        if case .string(let string) = self { string } else { nil }
    }
}
